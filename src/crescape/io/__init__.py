"""Run files, checkpoints and run directories (see the data contract in README)."""
from .atomic import atomic_path, sha256_file, write_text_atomic
from .checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint
from .hdf5 import RunFileError, read_run_file, write_run_file
from .rundir import CONFIG_NAME, RUN_NAME, OutputDirError, Run, file_attrs, open_run, prepare_rundir

__all__ = [
    "atomic_path", "sha256_file", "write_text_atomic", "CHECKPOINT_NAME", "load_checkpoint",
    "save_checkpoint", "RunFileError", "read_run_file", "write_run_file", "CONFIG_NAME", "RUN_NAME",
    "OutputDirError", "Run", "file_attrs", "open_run", "prepare_rundir",
]
