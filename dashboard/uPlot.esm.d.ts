// The browser loads uPlot's ES module from the scheduler (/dashboard/uPlot.esm.js, the npm
// package's file); its types are the package's.
import uPlot from 'uplot';
export default uPlot;
