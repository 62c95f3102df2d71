package ft.protocol;

import java.util.Objects;

/**
 * A header a server sends. Every response but {@link Error} has {@code "status":"ok"}.
 */
public sealed interface Response {

    /** Answer to {@link Request.Hello}: the version both sides now speak and who is serving. */
    record HelloOk(int version, String server, Limits limits) implements Response {
        public HelloOk {
            Objects.requireNonNull(server, "server");
        }

        public HelloOk(int version, String server) {
            this(version, server, null);
        }
    }

    /**
     * What the server will accept from this client, stated up front so a client can fail fast.
     *
     * @param maxFileSize largest upload accepted, in bytes
     * @param freeSpace   bytes free for uploads right now
     * @param readOnly    whether uploads and changes are refused
     * @param eagerPut    whether the server takes eager puts (a small body right behind its header)
     * @param keepalive   whether the server honours {@code keepalive_ms} in get and stat
     * @param preserve    whether the server takes {@code mtime} and {@code mode} in put and sends
     *                    them in its answer to get
     * @param pipeline    whether the server takes requests sent ahead, before the answers to the
     *                    earlier ones (PROTOCOL.md, "Pipelining"); a client told nothing sends one
     *                    request at a time
     */
    record Limits(
            long maxFileSize,
            long freeSpace,
            boolean readOnly,
            boolean eagerPut,
            boolean keepalive,
            boolean preserve,
            boolean pipeline) {
        public Limits(
                long maxFileSize,
                long freeSpace,
                boolean readOnly,
                boolean eagerPut,
                boolean keepalive,
                boolean preserve) {
            this(maxFileSize, freeSpace, readOnly, eagerPut, keepalive, preserve, false);
        }

        public Limits(long maxFileSize, long freeSpace, boolean readOnly, boolean eagerPut, boolean keepalive) {
            this(maxFileSize, freeSpace, readOnly, eagerPut, keepalive, false);
        }

        public Limits(long maxFileSize, long freeSpace, boolean readOnly, boolean eagerPut) {
            this(maxFileSize, freeSpace, readOnly, eagerPut, false);
        }

        public Limits(long maxFileSize, long freeSpace, boolean readOnly) {
            this(maxFileSize, freeSpace, readOnly, false);
        }
    }

    /**
     * Sent instead of an answer, any number of times, to a request that asked for keepalives:
     * the server is still preparing the answer (hashing the file), which follows later.
     * {@code {"status":"wait","done":D,"total":T}}
     *
     * @param done  bytes of the file hashed so far
     * @param total bytes to hash in all
     */
    record Wait(long done, long total) implements Response {
        public Wait {
            if (done < 0 || total < 0) {
                throw new IllegalArgumentException("done and total must not be negative");
            }
        }
    }

    /**
     * Answer to {@link Request.Get}; exactly {@code size - offset} raw body bytes follow it.
     *
     * @param name   the file's base name (no directory part)
     * @param offset the offset actually served: the one asked for, or 0 after a failed
     *               {@code if_md5} condition
     * @param attributes the file's modification time and permission bits, or null when the
     *               server does not say (one whose hello limits lack {@code preserve})
     */
    record GetOk(String name, long size, Md5 md5, long offset, FileAttributes attributes) implements Response {
        public GetOk {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(md5, "md5");
            if (size < 0 || offset < 0 || offset > size) {
                throw new IllegalArgumentException("need 0 <= offset <= size");
            }
        }

        public GetOk(String name, long size, Md5 md5, long offset) {
            this(name, size, md5, offset, null);
        }

        public long bodyLength() {
            return size - offset;
        }
    }

    /** First answer to {@link Request.Put}: send the body from {@code offset} on. */
    record PutReady(long offset) implements Response {
        public PutReady {
            if (offset < 0) {
                throw new IllegalArgumentException("offset must not be negative");
            }
        }
    }

    /** Final answer to {@link Request.Put}: the file is stored under its name with this digest. */
    record PutDone(Md5 md5) implements Response {
        public PutDone {
            Objects.requireNonNull(md5, "md5");
        }
    }

    /** A plain success: for mkdir, mv and rm, and the start of a list or find stream. */
    record Ok() implements Response {}

    /**
     * Answer to {@link Request.Stat}.
     *
     * @param mtime last modification, epoch milliseconds
     * @param md5   the file's digest; null for directories
     */
    record StatOk(String name, EntryType type, long size, long mtime, Md5 md5) implements Response {
        public StatOk {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative");
            }
        }
    }

    /** A refused request. {@code {"status":"error","code":...,"message":...}} */
    record Error(ErrorCode code, String message) implements Response {
        public Error {
            Objects.requireNonNull(code, "code");
            message = message == null ? "" : message;
        }
    }
}
