package ft.cli;

/**
 * Makes text from the network safe to print: a server could otherwise put escape sequences
 * in a file name or an error message and rewrite the user's terminal (title, cursor, fake
 * lines), as CVE-2019-6109 showed for scp.
 */
final class Terminal {
    private Terminal() {}

    /**
     * Controls (C0, DEL, C1), line and paragraph separators, bidi controls and lone surrogates
     * become visible escapes ({@code \x1b}, {@code \u2028}); everything else is kept. The
     * rule is {@link ft.protocol.Printable}'s, shared with the server's log. Applying it twice
     * changes nothing more.
     */
    static String safe(String s) {
        return ft.protocol.Printable.escaped(s);
    }
}
