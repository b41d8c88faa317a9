"""The live progress board for the wall screen and the foreman's tablet."""
