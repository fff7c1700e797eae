'use strict';
// Lambda layers unpack to /opt, and the Node.js runtimes put /opt/nodejs/node_modules on NODE_PATH,
// so dspfn's loader finds this package with createRequire('@dspfn/dsp-native').
module.exports = require('./dspfn_dsp.node');
