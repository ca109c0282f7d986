// Preview Moves: the pending moves of every target, with actions per move. The menu bar and Status open
// it for one target (`launchContext.target`).
import { PreviewMoves } from "./preview/preview-moves";

export default function Command(props: { launchContext?: { target?: string } }) {
  return <PreviewMoves only={props.launchContext?.target} />;
}
