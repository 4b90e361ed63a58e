# lit configuration of the pass tests (instrument/test).
#
# Run by meson (suite 'pass'), which passes:
#   --param plugin=PATH       the pmcheck-pass.so under test
#   --param llvm_bindir=DIR   where opt, FileCheck and clang of that LLVM are
#   --param exec_root=DIR     where lit may write (%t)
# By hand, from the source tree:
#   python3 /usr/lib/llvm-14/build/utils/lit/lit.py -sv \
#     --param plugin=build/instrument/pmcheck-pass.so instrument/test
import os

import lit.formats

config.name = 'pmcheck-pass'
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = ['.ll', '.c']
config.test_source_root = os.path.dirname(__file__)

plugin = lit_config.params.get('plugin')
if not plugin:
    lit_config.fatal('pass --param plugin=PATH/pmcheck-pass.so')
config.test_exec_root = lit_config.params.get(
    'exec_root', os.path.join(os.path.dirname(os.path.abspath(plugin)),
                              'lit'))

# opt, FileCheck and clang must be the LLVM the plugin was built for.
llvm_bindir = lit_config.params.get('llvm_bindir', '/usr/lib/llvm-14/bin')
config.environment['PATH'] = os.pathsep.join(
    [llvm_bindir, config.environment.get('PATH', os.environ['PATH'])])

config.substitutions.append(('%plugin', os.path.abspath(plugin)))
