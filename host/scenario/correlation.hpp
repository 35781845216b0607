// Correlation matrices of factors and parameters (docs/scenario-format.md, "correlations"): reading the pairs, checking
// positive semi-definiteness, Higham's nearest correlation matrix, and the Cholesky factor.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "scenario/input_problems.hpp"

namespace chokepoint {

// Builds the matrix over `names` from nested pairs {"a": {"b": 0.3}}; unlisted pairs are 0.
Eigen::MatrixXd read_correlation_pairs(const Json& section, const std::string& path,
                                       const std::vector<std::string>& names, ProblemList& problems);

// Checks that R is positive semi-definite. If not: with `repair`, returns Higham's nearest
// correlation matrix and appends a note; else reports the smallest eigenvalue and the names
// that weigh most in its eigenvector.
Eigen::MatrixXd require_positive_semidefinite(const Eigen::MatrixXd& matrix, const std::string& path,
                                              const std::vector<std::string>& names, bool repair,
                                              ProblemList& problems, std::vector<std::string>& notes);

// Higham (2002) alternating projections with Dykstra's correction.
Eigen::MatrixXd nearest_correlation(const Eigen::MatrixXd& matrix);

// L with L·Lᵀ = R for a positive semi-definite R; a zero pivot leaves its column zero, so a
// factor uncorrelated with all others keeps its own normal unchanged.
Eigen::MatrixXd lower_cholesky(const Eigen::MatrixXd& matrix);

}  // namespace chokepoint
