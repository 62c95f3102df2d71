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

    private Protocol() {}
}
