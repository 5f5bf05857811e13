// Linked into the node build only (web/build.sh, --pre-js). Emscripten 3.1.6 loads the .wasm with
// fetch() whenever a global fetch exists; node 18 and later have one, which cannot read a file
// path, so `node mailsim.js` would fail without --no-experimental-fetch. This module-level
// declaration hides the global from the generated code, which then reads the file with fs.
var fetch = undefined;
