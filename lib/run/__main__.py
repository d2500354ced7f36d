"""`python -m lib.run [doit arguments]`: the backup's doit, with the exit status main() decides."""
from lib.run.main import run_from_command_line

run_from_command_line()
