// The sample city and its traffic use the edge fleet's seeded generator (mulberry32): the same seed gives
// the same city and byte-identical recordings on every machine. One implementation, kept in edge/ because
// device code may import nothing outside edge/.
export { Prng } from '../edge/prng.js';
