"""Language models: the backends (local llama.cpp in a child process, or a server), GGUF files, threads."""
