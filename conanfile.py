"""Conan 2 recipe for neuroplastic, a header-only library.

`conan create . -s compiler.cppstd=20` builds and runs the test suite (unless the configuration
tools.build:skip_test is true), packages the headers and then builds test_package/ against the
package. The package is the same for every configuration: it holds headers only.
"""
import os
import re

from conan import ConanFile
from conan.tools.build import build_jobs, check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load

required_conan_version = ">=2.0"

# The version is read from the project() call of CMakeLists.txt, so that it is written once.
VERSION_PATTERN = r"project\(neuroplastic\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)"


class NeuroplasticConan(ConanFile):
    name = "neuroplastic"
    description = "Header-only C++20 neural networks whose structure changes while they train"
    license = "MIT"
    topics = ("neural-networks", "sparse-training", "simd", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    exports_sources = "CMakeLists.txt", "LICENSE*", "cmake/*", "include/*", "tests/*"
    no_copy_source = True

    @property
    def _skip_tests(self):
        return self.conf.get("tools.build:skip_test", default=False, check_type=bool)

    def set_version(self):
        text = load(self, os.path.join(self.recipe_folder, "CMakeLists.txt"))
        self.version = re.search(VERSION_PATTERN, text).group(1)

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        # Every xsimd major from Debian 12's 8.1 to 14. The headers include xsimd's, so the
        # requirement is transitive, as all direct requirements of a header-only package are.
        self.requires("xsimd/[>=8.1 <15]")

    def build_requirements(self):
        if not self._skip_tests:
            self.test_requires("catch2/[>=3.0 <4]")
            self.test_requires("zlib/[>=1.2.11 <2]")

    def package_id(self):
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, 20)

    def generate(self):
        toolchain = CMakeToolchain(self)
        toolchain.cache_variables["NEUROPLASTIC_BUILD_TESTS"] = not self._skip_tests
        toolchain.cache_variables["NEUROPLASTIC_BUILD_EXAMPLES"] = False
        toolchain.cache_variables["NEUROPLASTIC_BUILD_BENCHMARKS"] = False
        toolchain.generate()
        CMakeDeps(self).generate()

    def build(self):
        if self._skip_tests:
            return
        cmake = CMake(self)
        cmake.configure()
        cmake.build()
        # Left out: the accuracy checks (the Fashion-MNIST files, and minutes), the packaging
        # checks (they need the whole repository, not the exported sources) and the compile-fail
        # checks (they read include paths from xsimd's target, which Conan's differs in).
        self.run(f'ctest --output-on-failure -j{build_jobs(self)} '
                 '-LE "^(demo|accuracy|package|compile_fail)$"', cwd=self.build_folder)

    def package(self):
        copy(self, "LICENSE*", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"),
             os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "neuroplastic")
        self.cpp_info.set_property("cmake_target_name", "neuroplastic::neuroplastic")
        self.cpp_info.set_property("pkg_config_name", "neuroplastic")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        if self.settings.os in ["Linux", "FreeBSD"]:
            self.cpp_info.system_libs = ["pthread"]
