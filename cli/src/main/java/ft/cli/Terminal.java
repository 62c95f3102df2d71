package ft.cli;

/**
 * Makes text from the network safe to print: a server could otherwise put escape sequences
 * in a file name or an error message and rewrite the user's terminal (title, cursor, fake
 * lines), as CVE-2019-6109 showed for scp.
 */
final class Terminal {
    private Terminal() {}

    /** Control characters become visible escapes ({@code \x1b}); everything else is kept. */
    static String safe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c < 0xa0);
            if (control && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (control) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
