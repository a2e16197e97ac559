"""Checks conanfile.py and test_package/conanfile.py without Conan, which Debian does not have.

Both files must parse; the recipe must hold what a header-only Conan 2 recipe holds, and its
version pattern must find the version in CMakeLists.txt.
    python3 check_conan_recipe.py SOURCE_DIR EXPECTED_VERSION
"""
import ast
import os
import re
import sys


def constant(node):
    return node.value if isinstance(node, ast.Constant) else None


def main(source_dir, expected_version):
    problems = []
    recipe = ast.parse(open(os.path.join(source_dir, "conanfile.py")).read(), "conanfile.py")
    ast.parse(open(os.path.join(source_dir, "test_package", "conanfile.py")).read(),
              "test_package/conanfile.py")

    module_constants = {}
    for node in recipe.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                module_constants[target.id] = constant(node.value)
    classes = [node for node in recipe.body if isinstance(node, ast.ClassDef)]
    if len(classes) != 1:
        sys.exit(f"conanfile.py: expected one recipe class, found {len(classes)}")
    recipe_class = classes[0]

    attributes = {}
    methods = {}
    for node in recipe_class.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            attributes[node.targets[0].id] = constant(node.value)
        elif isinstance(node, ast.FunctionDef):
            methods[node.name] = ast.unparse(node)

    if attributes.get("package_type") != "header-library":
        problems.append('package_type is not "header-library"')
    if attributes.get("no_copy_source") is not True:
        problems.append("no_copy_source is not True")
    if "self.info.clear()" not in methods.get("package_id", ""):
        problems.append("package_id() does not clear the package id")
    requirements = methods.get("requirements", "")
    xsimd = re.search(r"xsimd/\[([^\]]*)\]", requirements)
    if not xsimd or not re.fullmatch(r">=8\.1(\.0)? <15", xsimd.group(1)):
        problems.append("requirements() does not ask for xsimd/[>=8.1 <15]")
    if "catch2" in requirements:
        problems.append("requirements() asks for Catch2, which only the tests need")
    build_requirements = methods.get("build_requirements", "")
    if "catch2" not in build_requirements or "skip_test" not in methods.get("_skip_tests", ""):
        problems.append("build_requirements() does not add Catch2 for the tests alone")

    pattern = module_constants.get("VERSION_PATTERN")
    cmake_lists = open(os.path.join(source_dir, "CMakeLists.txt")).read()
    found = re.search(pattern, cmake_lists) if pattern else None
    if not found or found.group(1) != expected_version:
        problems.append(f"VERSION_PATTERN does not find version {expected_version} in "
                        "CMakeLists.txt")

    if problems:
        sys.exit("conanfile.py: " + "; ".join(problems))
    print(f"conanfile.py: a header-only recipe for neuroplastic {expected_version}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
