package ft.protocol;

import java.util.Objects;

/**
 * A header a client sends. Each record maps to one {@code op} on the wire.
 */
public sealed interface Request {

    /** The wire name of the op. */
    default String op() {
        return switch (this) {
            case Hello h -> "hello";
            case Get g -> "get";
            case Put p -> "put";
            case Stat s -> "stat";
            case List l -> "list";
            case Find f -> "find";
            case Remove r -> "rm";
            case MakeDirectory m -> "mkdir";
            case Move m -> "mv";
        };
    }

    /**
     * Opens a connection: {@code {"op":"hello","version":1}}, with {@code "token"} when the
     * server requires authentication.
     *
     * @param token the client's secret, or null for anonymous access; never printed
     */
    record Hello(int version, String token) implements Request {
        public Hello {
            if (version < 0) {
                throw new IllegalArgumentException("version must not be negative");
            }
        }

        public Hello(int version) {
            this(version, null);
        }

        /** Keeps the token out of logs, exception messages and debugger views. */
        @Override
        public String toString() {
            return "Hello[version=" + version + ", token=" + (token == null ? "none" : "<redacted>") + "]";
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
     * @param keepaliveMs 0, or how often (milliseconds) the server is to send a
     *                {@link Response.Wait} while it prepares the answer (hashes the file); only to
     *                a server whose hello limits say {@code keepalive}
     */
    record Get(String path, long offset, Md5 ifMd5, int keepaliveMs) implements Request {
        public Get {
            requirePath(path);
            if (offset < 0) {
                throw new IllegalArgumentException("offset must not be negative");
            }
            requireKeepalive(keepaliveMs);
        }

        public Get(String path, long offset, Md5 ifMd5) {
            this(path, offset, ifMd5, 0);
        }

        public Get(String path, long offset) {
            this(path, offset, null);
        }

        public Get withKeepalive(int ms) {
            return new Get(path, offset, ifMd5, ms);
        }
    }

    /**
     * Announces an upload of {@code size} bytes whose digest is {@code md5}.
     *
     * @param path  the destination, relative to the served root, {@code /}-separated
     * @param eager whether the whole body follows this header at once, without waiting for the
     *              server's offset (at most {@link Protocol#MAX_EAGER_PUT_BYTES}; only to a
     *              server whose hello limits say {@code eager_put})
     * @param attributes null, or the modification time and permission bits the stored file is
     *              to carry (only to a server whose hello limits say {@code preserve})
     */
    record Put(String path, long size, Md5 md5, boolean eager, FileAttributes attributes) implements Request {
        public Put {
            requirePath(path);
            java.util.Objects.requireNonNull(md5, "md5");
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative");
            }
            if (eager && size > Protocol.MAX_EAGER_PUT_BYTES) {
                throw new IllegalArgumentException(
                        "an eager put carries at most " + Protocol.MAX_EAGER_PUT_BYTES + " bytes");
            }
        }

        public Put(String path, long size, Md5 md5, boolean eager) {
            this(path, size, md5, eager, null);
        }

        public Put(String path, long size, Md5 md5) {
            this(path, size, md5, false);
        }
    }

    /**
     * Describes one file or directory: type, size, mtime, and a file's MD5.
     *
     * @param keepaliveMs as for {@link Get}
     */
    record Stat(String path, int keepaliveMs) implements Request {
        public Stat {
            requirePath(path);
            requireKeepalive(keepaliveMs);
        }

        public Stat(String path) {
            this(path, 0);
        }
    }

    /**
     * Lists one directory, one page at a time, sorted by name.
     *
     * @param path  the directory; empty for the served root
     * @param after only names sorting after this one (the last name of the previous page), or null
     * @param limit at most this many entries in this page
     */
    record List(String path, String after, int limit) implements Request {
        public List {
            Objects.requireNonNull(path, "path");
            if (limit < 1 || limit > Protocol.MAX_PAGE_ENTRIES) {
                throw new IllegalArgumentException("limit must be 1.." + Protocol.MAX_PAGE_ENTRIES);
            }
        }
    }

    /**
     * Walks a tree on the server and streams what it finds: every file and directory below
     * {@code path}, or only the files whose root-relative path matches {@code pattern}.
     *
     * @param path    where to start; empty for the served root
     * @param pattern a glob over root-relative paths, or null for everything below {@code path}
     */
    record Find(String path, String pattern) implements Request {
        public Find {
            Objects.requireNonNull(path, "path");
        }
    }

    /** Removes a file, an empty directory, or with {@code recursive} a whole tree. */
    record Remove(String path, boolean recursive) implements Request {
        public Remove {
            requirePath(path);
        }
    }

    /** Creates a directory; with {@code parents} also missing parents, and an existing one is fine. */
    record MakeDirectory(String path, boolean parents) implements Request {
        public MakeDirectory {
            requirePath(path);
        }
    }

    /** Renames {@code from} to {@code to}, or moves it into {@code to} if that is a directory. */
    record Move(String from, String to) implements Request {
        public Move {
            requirePath(from);
            requirePath(to);
        }
    }

    private static void requirePath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path must not be empty");
        }
    }

    private static void requireKeepalive(int ms) {
        if (ms != 0 && (ms < Protocol.MIN_KEEPALIVE_MS || ms > Protocol.MAX_KEEPALIVE_MS)) {
            throw new IllegalArgumentException(
                    "keepalive_ms must be 0 or " + Protocol.MIN_KEEPALIVE_MS + " … " + Protocol.MAX_KEEPALIVE_MS);
        }
    }
}
