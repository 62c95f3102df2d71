package ft.cli;

import java.util.ArrayList;
import java.util.List;

/** What a test saw written to a terminal: the frames of a status line and the lines printed whole. */
final class Screen {
    private Screen() {}

    /**
     * Every piece of text written between carriage returns and newlines, erase sequences
     * removed: each drawing of the line is one frame, each whole line another.
     */
    static List<String> frames(String written) {
        List<String> frames = new ArrayList<>();
        for (String piece : written.replace("\u001b[K", "").split("[\r\n]")) {
            if (!piece.isEmpty()) {
                frames.add(piece);
            }
        }
        return frames;
    }

    /** The lines a terminal would be left with: each row as the last carriage return left it. */
    static List<String> rows(String written) {
        List<String> rows = new ArrayList<>();
        for (String row : written.replace("\u001b[K", "").split("\n", -1)) {
            String shown = row.substring(row.lastIndexOf('\r') + 1);
            rows.add(shown);
        }
        if (!rows.isEmpty() && rows.getLast().isEmpty()) {
            rows.removeLast();
        }
        return rows;
    }
}
