// Preview Moves: the pending moves of every mounted target, with actions per move.
import { PreviewMoves } from "./preview/preview-moves";

export default function Command() {
  return <PreviewMoves />;
}
