"""Builds chokepoint._engine with the project's CMake (python/CMakeLists.txt) for `pip install .`.

Extra CMake arguments: the environment variable CMAKE_ARGS (e.g. "-DCHOKEPOINT_ENABLE_CUDA=OFF").
"""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name: str):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        build = Path(self.build_temp).resolve() / "cmake"
        arguments = [
            "-DCMAKE_BUILD_TYPE=Release",
            "-DCHOKEPOINT_BUILD_TESTS=OFF",
            "-DCHOKEPOINT_BUILD_BENCH=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}",  # this interpreter, a venv's included
        ]
        if shutil.which("ccache"):
            arguments += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache", "-DCMAKE_CUDA_COMPILER_LAUNCHER=ccache"]
        arguments += shlex.split(os.environ.get("CMAKE_ARGS", ""))
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), *arguments], check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build), "--target", "chokepoint_python", "-j", jobs], check=True)
        built = list((build / "python" / "chokepoint").glob("_engine*"))
        if len(built) != 1:
            raise RuntimeError(f"expected one _engine module in {build}/python/chokepoint, found {built}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    packages=["chokepoint"],
    package_dir={"chokepoint": "python/chokepoint"},
    ext_modules=[CMakeExtension("chokepoint._engine")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
