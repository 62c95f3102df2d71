package ft.protocol;

/**
 * The one rule for text from the other side (a client's path in the server's log, a server's
 * message or file name on the user's terminal): which characters may be shown as they are.
 *
 * <p>Unsafe, and so replaced: the C0 controls and DEL (escape sequences, carriage returns
 * that overwrite a line, newlines that forge log entries); the C1 controls U+0080–U+009F
 * (U+0085 NEXT LINE is a line break to many readers, U+009B a one-character CSI to some
 * terminals); U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR (line breaks to editors,
 * log viewers and JavaScript); the bidirectional controls U+061C, U+200E, U+200F,
 * U+202A–U+202E and U+2066–U+2069 (they reorder what is shown, "Trojan Source"); and lone
 * surrogates (not text at all: they cannot be encoded as UTF-8). Everything else, including
 * every other non-ASCII letter, is kept.
 */
public final class Printable {
    private Printable() {}

    /** Whether {@code codePoint} must not reach a log line or a terminal as it is. */
    public static boolean unsafe(int codePoint) {
        return codePoint < 0x20
                || (codePoint >= 0x7f && codePoint <= 0x9f)
                || codePoint == 0x2028
                || codePoint == 0x2029
                || codePoint == 0x061c
                || codePoint == 0x200e
                || codePoint == 0x200f
                || (codePoint >= 0x202a && codePoint <= 0x202e)
                || (codePoint >= 0x2066 && codePoint <= 0x2069)
                || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE);
    }

    /**
     * For a terminal: each unsafe character becomes a visible escape, {@code \x1b} below
     * U+0100, {@code \u2028} above (so a person sees that something was there); null is "".
     */
    public static String escaped(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int width = Character.charCount(cp);
            boolean bad = unsafe(cp);
            if (bad && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (bad) {
                    b.append(cp < 0x100 ? String.format("\\x%02x", cp) : String.format("\\u%04x", cp));
                } else {
                    b.appendCodePoint(cp);
                }
            }
            i += width;
        }
        return b == null ? s : b.toString();
    }

    /**
     * For a log line or a message echoing the peer: each unsafe character becomes {@code ?},
     * and at most {@code maxChars} characters are kept (a surrogate pair is never cut in two);
     * null is {@code "-"}.
     */
    public static String replaced(String s, int maxChars) {
        if (s == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), maxChars));
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int width = Character.charCount(cp);
            if (b.length() + width > maxChars) {
                break;
            }
            if (unsafe(cp)) {
                b.append('?');
            } else {
                b.appendCodePoint(cp);
            }
            i += width;
        }
        return b.toString();
    }
}
