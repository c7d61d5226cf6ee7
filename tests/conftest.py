pytest_plugins = ["local_emulator.pytest_plugin"]
