#include "scenario/correlation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace chokepoint {

Eigen::MatrixXd read_correlation_pairs(const Json& section, const std::string& path,
                                       const std::vector<std::string>& names, ProblemList& problems) {
  const int n = static_cast<int>(names.size());
  Eigen::MatrixXd matrix = Eigen::MatrixXd::Identity(n, n);
  Eigen::MatrixXi written = Eigen::MatrixXi::Zero(n, n);
  if (section.is_null()) return matrix;
  if (!section.is_object()) {
    problems.add(path, "an object of pairs such as {\"a\": {\"b\": 0.3}}", describe(section));
    return matrix;
  }
  auto index_of = [&](const std::string& name, const std::string& where) {
    const auto found = std::find(names.begin(), names.end(), name);
    if (found != names.end()) return static_cast<int>(found - names.begin());
    std::string expected = "the name of a declared entry";
    const std::string suggestion = closest_match(name, names);
    problems.add(where, expected, "\"" + name + "\"" + (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)"));
    return -1;
  };
  for (const auto& row : section.items()) {
    const std::string row_path = join_path(path, row.key());
    const int a = index_of(row.key(), row_path);
    if (!row.value().is_object()) {
      problems.add(row_path, "an object of partners and correlations", describe(row.value()));
      continue;
    }
    for (const auto& pair : row.value().items()) {
      const std::string pair_path = join_path(row_path, pair.key());
      const int b = index_of(pair.key(), pair_path);
      if (!pair.value().is_number()) {
        problems.add(pair_path, "a correlation in [-1, 1]", describe(pair.value()));
        continue;
      }
      const double rho = pair.value().get<double>();
      if (!(rho >= -1.0 && rho <= 1.0)) {
        problems.add(pair_path, "a correlation in [-1, 1]", describe(pair.value()));
        continue;
      }
      if (a < 0 || b < 0) continue;
      if (a == b) {
        if (rho != 1.0) problems.add(pair_path, "1 on the diagonal (or no entry)", describe(pair.value()));
        continue;
      }
      if (written(a, b)) {
        problems.add(pair_path, "each pair written once", "a second entry for the pair " + names[a] + "–" + names[b]);
        continue;
      }
      written(a, b) = written(b, a) = 1;
      matrix(a, b) = matrix(b, a) = rho;
    }
  }
  return matrix;
}

Eigen::MatrixXd nearest_correlation(const Eigen::MatrixXd& matrix) {
  const Eigen::Index n = matrix.rows();
  Eigen::MatrixXd y = matrix, correction = Eigen::MatrixXd::Zero(n, n);
  for (int iteration = 0; iteration < 1000; ++iteration) {
    const Eigen::MatrixXd r = y - correction;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(r);
    const Eigen::VectorXd clipped = eigen.eigenvalues().cwiseMax(0.0);
    const Eigen::MatrixXd x = eigen.eigenvectors() * clipped.asDiagonal() * eigen.eigenvectors().transpose();
    correction = x - r;
    Eigen::MatrixXd next = x;
    next.diagonal().setOnes();
    const double change = (next - y).norm() / std::max(1.0, y.norm());
    y = next;
    if (change < 1e-12) break;
  }
  // Alternating projections approach the PSD cone from outside; a last shrink toward the
  // identity makes the smallest eigenvalue non-negative to rounding.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(y);
  const double smallest = eigen.eigenvalues().minCoeff();
  if (smallest < 0) {
    const double weight = -smallest / (1.0 - smallest) + 1e-15;
    y = (1.0 - weight) * y + weight * Eigen::MatrixXd::Identity(n, n);
  }
  return y;
}

Eigen::MatrixXd require_positive_semidefinite(const Eigen::MatrixXd& matrix, const std::string& path,
                                              const std::vector<std::string>& names, bool repair,
                                              ProblemList& problems, std::vector<std::string>& notes) {
  if (matrix.rows() == 0) return matrix;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(matrix);
  const double smallest = eigen.eigenvalues()(0);
  if (smallest >= -1e-12) return matrix;
  if (repair) {
    const Eigen::MatrixXd repaired = nearest_correlation(matrix);
    std::ostringstream note;
    note << path << ": not positive semi-definite (smallest eigenvalue " << smallest
         << "); replaced by the nearest correlation matrix (Higham), largest change "
         << (repaired - matrix).cwiseAbs().maxCoeff();
    notes.push_back(note.str());
    return repaired;
  }
  // Name the entries that weigh most in the eigenvector of the negative eigenvalue.
  const Eigen::VectorXd direction = eigen.eigenvectors().col(0);
  std::vector<int> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return std::abs(direction(a)) > std::abs(direction(b)); });
  std::ostringstream found;
  found << "smallest eigenvalue " << smallest << ", mostly from ";
  for (std::size_t i = 0; i < order.size() && i < 3; ++i) {
    if (std::abs(direction(order[i])) < 0.1) break;
    found << (i ? ", " : "") << names[order[i]];
  }
  found << " (set \"repair_correlations\": true to use the nearest correlation matrix)";
  problems.add(path, "a positive semi-definite correlation matrix", found.str());
  return matrix;
}

Eigen::MatrixXd lower_cholesky(const Eigen::MatrixXd& matrix) {
  const Eigen::Index n = matrix.rows();
  Eigen::MatrixXd lower = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    double pivot = matrix(j, j);
    for (Eigen::Index k = 0; k < j; ++k) pivot -= lower(j, k) * lower(j, k);
    if (pivot <= 1e-12) continue;  // semi-definite: this direction is already spanned
    lower(j, j) = std::sqrt(pivot);
    for (Eigen::Index i = j + 1; i < n; ++i) {
      double sum = matrix(i, j);
      for (Eigen::Index k = 0; k < j; ++k) sum -= lower(i, k) * lower(j, k);
      lower(i, j) = sum / lower(j, j);
    }
  }
  return lower;
}

}  // namespace chokepoint
