// asciinema-player, loaded only on the replay page (it is the largest dependency).
import * as AsciinemaPlayer from 'asciinema-player';

export default AsciinemaPlayer;
