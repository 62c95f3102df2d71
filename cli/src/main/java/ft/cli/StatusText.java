package ft.cli;

import ft.transfer.ByteSize;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Lays out a progress line in a given number of terminal columns: the parts that matter most
 * are kept, names are shortened in the middle, and nothing is ever wider than asked.
 *
 * <p>Widths are counted in terminal columns, not chars: East Asian wide characters and most
 * emoji take two, combining marks none. A line that is one column too wide wraps, and every
 * redraw after that leaves a row of debris behind.
 */
final class StatusText {
    /** A name is not shortened below this many columns; a part that needs less is dropped instead. */
    static final int MIN_NAME = 10;

    private StatusText() {}

    /**
     * One piece of a line: fixed text around an optional {@code name} that may be shortened,
     * and how much it matters ({@code priority}: higher parts are kept when space runs out).
     */
    record Part(String before, String name, String after, int priority) {
        static Part fixed(String text, int priority) {
            return new Part(text, "", "", priority);
        }

        static Part named(String before, String name, String after, int priority) {
            return new Part(before, Terminal.safe(name), after, priority);
        }

        int fixedColumns() {
            return columns(before) + columns(after);
        }

        int minColumns() {
            return fixedColumns() + Math.min(columns(name), MIN_NAME);
        }

        int naturalColumns() {
            return fixedColumns() + columns(name);
        }
    }

    /**
     * The parts, in their order and separated by a space, in at most {@code width} columns.
     * Parts are admitted by priority, until one does not fit with names at their shortest; names
     * then get back as much of the room left as they need, shortened in the middle with
     * {@code ellipsis}. When not even the most important part fits, it is cut.
     */
    static String fit(List<Part> parts, int width, String ellipsis) {
        List<Integer> byPriority = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            byPriority.add(i);
        }
        byPriority.sort(
                Comparator.comparingInt((Integer i) -> parts.get(i).priority()).reversed());
        boolean[] kept = new boolean[parts.size()];
        int used = -1; // no separator before the first part
        for (int i : byPriority) {
            int need = 1 + parts.get(i).minColumns();
            if (used + need > width) {
                // No less important part after one that did not fit: a rate without the bytes it is
                // the rate of would only puzzle.
                break;
            }
            kept[i] = true;
            used += need;
        }
        if (used < 0) {
            Part first = parts.get(byPriority.getFirst());
            return cut(first.before() + first.name() + first.after(), width);
        }
        int spare = Math.max(0, width - used);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (!kept[i]) {
                continue;
            }
            Part p = parts.get(i);
            String name = p.name();
            if (!name.isEmpty()) {
                int room = Math.min(columns(name), Math.min(columns(name), MIN_NAME) + spare);
                spare -= room - Math.min(columns(name), MIN_NAME);
                name = middle(name, room, ellipsis);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(p.before()).append(name).append(p.after());
        }
        return cut(line.toString(), width);
    }

    /** {@code s} in at most {@code width} columns, its middle replaced by {@code ellipsis} if need be. */
    static String middle(String s, int width, String ellipsis) {
        if (columns(s) <= width) {
            return s;
        }
        int room = width - columns(ellipsis);
        if (room < 2) {
            return cut(s, width);
        }
        String head = cut(s, room - room / 2);
        String tail = tail(s, room / 2);
        return head + ellipsis + tail;
    }

    /** The longest start of {@code s} that fits in {@code width} columns. */
    static String cut(String s, int width) {
        int used = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int w = columns(cp);
            if (used + w > width) {
                break;
            }
            used += w;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /** The longest end of {@code s} that fits in {@code width} columns. */
    private static String tail(String s, int width) {
        int used = 0;
        int i = s.length();
        while (i > 0) {
            int cp = s.codePointBefore(i);
            int w = columns(cp);
            if (used + w > width) {
                break;
            }
            used += w;
            i -= Character.charCount(cp);
        }
        // A combining mark left at the start would sit on the ellipsis: drop it with its base.
        while (i < s.length() && columns(s.codePointAt(i)) == 0) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }

    /** The columns {@code s} takes on a terminal. */
    static int columns(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            n += columns(cp);
            i += Character.charCount(cp);
        }
        return n;
    }

    /** Like wcwidth(3): 0 for combining marks and zero-width format characters, 2 for wide ones. */
    static int columns(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return 0;
        }
        return wide(cp) ? 2 : 1;
    }

    /** East Asian Wide and Fullwidth ranges, and the emoji blocks terminals draw two columns wide. */
    private static boolean wide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F)
                || (cp >= 0x2E80 && cp <= 0x303E)
                || (cp >= 0x3041 && cp <= 0x33FF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0xA000 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6)
                || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF)
                || (cp >= 0x20000 && cp <= 0x3FFFD);
    }

    /** Binary units, as everywhere in ft ({@link ByteSize#format}). */
    static String bytes(long n) {
        return ByteSize.format(n);
    }

    /** {@code n} out of 100 as {@code  45%}, padded to a steady width; an empty total is complete. */
    static String percent(long done, long total) {
        long p = total <= 0 ? 100 : Math.min(100, Math.max(0, done * 100 / total));
        return String.format(Locale.ROOT, "%3d%%", p);
    }

    /** A duration as a clock shows it: {@code 0:03}, {@code 12:34}, {@code 1:02:03}. */
    static String duration(long seconds) {
        long s = Math.max(0, seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
