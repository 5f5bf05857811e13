// Linked into the node build only (web/build.sh, --pre-js). Emscripten's libc starts with a umask
// of 0777 whatever the process has, and util/atomicfile.c gives a new file 0666 minus the umask
// (as fopen does), so every trace, summary or PNG mailsim wrote under node had mode 000. Before
// main runs, the program gets the process's own umask, as a native program inherits it.
Module['onRuntimeInitialized'] = function () {
    Module['_umask'](process.umask());
};
