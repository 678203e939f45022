// The supervisor console's entry: registers every view, then starts the
// shell. Views register themselves when imported; the order of the imports
// is the order of the navigation.

import './signin.mjs';
import './activate.mjs';
import './queue.mjs';
import './clue.mjs';
import './hotspots.mjs';
import './postercheck.mjs';
import './admin.mjs';
import { start } from './shell.mjs';

start();
