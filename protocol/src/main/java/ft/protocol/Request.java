package ft.protocol;

/**
 * A header a client sends. Each record maps to one {@code op} on the wire.
 */
public sealed interface Request {

    /** The wire name of the op. */
    String op();

    /** Opens a connection: {@code {"op":"hello","version":1}}. */
    record Hello(int version) implements Request {
        public Hello {
            if (version < 0) {
                throw new IllegalArgumentException("version must not be negative");
            }
        }

        @Override
        public String op() {
            return "hello";
        }
    }

    /**
     * Asks for a file's body from {@code offset} on.
     *
     * @param path    the file, relative to the served root, {@code /}-separated
     * @param offset  the first byte wanted; 0 for a whole file
     * @param ifMd5   if not null, the digest the client's partial copy was started from: when
     *                the file's digest differs, the server ignores {@code offset} and serves
     *                the file from 0 (like HTTP's If-Range)
     */
    record Get(String path, long offset, Md5 ifMd5) implements Request {
        public Get {
            requirePath(path);
            if (offset < 0) {
                throw new IllegalArgumentException("offset must not be negative");
            }
        }

        public Get(String path, long offset) {
            this(path, offset, null);
        }

        @Override
        public String op() {
            return "get";
        }
    }

    /**
     * Announces an upload of {@code size} bytes whose digest is {@code md5}.
     *
     * @param path the destination, relative to the served root, {@code /}-separated
     */
    record Put(String path, long size, Md5 md5) implements Request {
        public Put {
            requirePath(path);
            java.util.Objects.requireNonNull(md5, "md5");
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative");
            }
        }

        @Override
        public String op() {
            return "put";
        }
    }

    private static void requirePath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path must not be empty");
        }
    }
}
