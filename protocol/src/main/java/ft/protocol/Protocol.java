package ft.protocol;

/** Constants of protocol version 1. */
public final class Protocol {
    /** The only protocol version this implementation speaks. */
    public static final int VERSION = 1;
    /** Largest accepted frame payload, in bytes. */
    public static final int MAX_FRAME_BYTES = 65_536;
    /** Largest accepted path, in UTF-8 bytes. */
    public static final int MAX_PATH_BYTES = 4_096;
    /** Largest accepted free-text field (error messages, server names), in characters. */
    public static final int MAX_TEXT_CHARS = 8_192;

    /** Most entries one list page may hold. */
    public static final int MAX_PAGE_ENTRIES = 10_000;
    /** Longest accepted authentication token, in characters. */
    public static final int MAX_TOKEN_CHARS = 256;
    /** The largest body an eager put (one sent right behind its header) may carry. */
    public static final int MAX_EAGER_PUT_BYTES = 65_536;
    /** Bounds of a request's {@code keepalive_ms}: often enough for any timeout, never a flood. */
    public static final int MIN_KEEPALIVE_MS = 100;

    public static final int MAX_KEEPALIVE_MS = 3_600_000;
    /** Longest accepted glob pattern, in characters. */
    public static final int MAX_PATTERN_CHARS = 4_096;

    private Protocol() {}

    /**
     * Whether {@code s} has a UTF-8 form: no unpaired surrogates, which a JSON {@code \ud800}
     * escape can smuggle into a Java string.
     */
    public static boolean isWellFormedUnicode(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
