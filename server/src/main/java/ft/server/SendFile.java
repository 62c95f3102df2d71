package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.FrameWriter;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.Deadline;
import ft.transfer.Throttle;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** Answers one get: header with the whole file's MD5, then the body from the offset, zero-copy. */
final class SendFile {
    private static final int STABLE_ATTEMPTS = 3;
    private static final long CHUNK = 8L << 20;
    private static final int TLS_CHUNK = 256 * 1024;
    /** Bodies up to this size go out with their header in one write instead of zero-copy. */
    static final int SMALL_BODY = 64 * 1024;
    private static final ft.protocol.HeaderCodec HEADERS = new ft.protocol.HeaderCodec();

    private final FtServer server;
    private final Share share;
    private final Request.Get request;
    private final SocketAddress client;
    private final FrameWriter writer;
    private final SocketChannel channel;
    private final Deadline clock;
    /** Under TLS, where the body goes (encrypted, watched); null to send zero-copy to the channel. */
    private final OutputStream tlsOut;
    /** The connection's {@code --max-rate}, or null when bodies go as fast as they can. */
    private final Throttle throttle;
    private long sent;

    SendFile(FtServer server, Share share, Request.Get request, SocketAddress client, FrameWriter writer,
             SocketChannel channel, Deadline clock, OutputStream tlsOut, Throttle throttle) {
        this.clock = clock;
        this.tlsOut = tlsOut;
        this.throttle = throttle;
        this.server = server;
        this.share = share;
        this.request = request;
        this.client = client;
        this.writer = writer;
        this.channel = channel;
    }

    void run(long start) throws IOException {
        String result = "ok";
        boolean headerSent = false;
        try (Opened opened = open()) {
            long offset = request.offset();
            if (request.ifMd5() != null && !request.ifMd5().equals(opened.md5())) {
                offset = 0; // the client's partial copy is of another version: serve it whole
            }
            long size = opened.version().size();
            if (offset > size) {
                throw new RefusedException(ErrorCode.BAD_REQUEST,
                        "offset " + offset + " is past the end of '" + request.path() + "' (" + size + " bytes)");
            }
            String name = RootJail.segments(request.path()).getLast();
            Response.GetOk header = new Response.GetOk(name, size, opened.md5(), offset, opened.attributes());
            if (tlsOut == null && !throttle.limits() && size - offset <= SMALL_BODY) {
                // Header and body in one write: one segment and one wake-up for the client
                // instead of two, and no zero-copy set-up that costs more than the copy.
                byte[] body = readSmall(opened.file(), offset, (int) (size - offset));
                headerSent = true; // from here a failure leaves the client out of step
                writer.writeFrameWithBody(HEADERS.encode(header), body);
                writer.flush();
                sent = body.length;
                return;
            }
            Connection.answer(writer, header);
            headerSent = true;
            streamBody(opened.file(), offset, size);
        } catch (RefusedException e) {
            result = e.code().name();
            Connection.answer(writer, new Response.Error(e.code(), e.getMessage()));
        } catch (IOException e) {
            result = "FAILED(" + e.getClass().getSimpleName() + ")";
            if (headerSent) {
                throw e; // mid-body: the stream is out of step and the connection must end
            }
            // Before the header the connection is still in step: answer, and keep serving.
            // The message names the kind only; the exception's text may hold real paths.
            Connection.answer(writer, new Response.Error(ErrorCode.INTERNAL,
                    "get failed on the server: " + e.getClass().getSimpleName()));
        } finally {
            AccessLog.request(client, share.user(), "get", request.path(), sent, start, result);
        }
    }

    /** A small body, read whole before the header goes out: a file that shrank is refused in step. */
    private static byte[] readSmall(FileChannel file, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (file.read(buf, offset + buf.position()) < 0) {
                throw new IOException("file shrank while being read");
            }
        }
        return buf.array();
    }

    /** An open file, the version it is, its MD5 and what a get states of its mtime and mode. */
    private record Opened(FileChannel file, DigestCache.Version version, Md5 md5, FileAttributes attributes)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /**
     * Opens the file and pairs it with the digest of exactly the version that was opened: a
     * file replaced or rewritten between hashing and opening is tried again.
     */
    private Opened open() throws RefusedException, IOException {
        Path real = share.jail().resolveExisting(request.path());
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isDirectory()) {
            throw new RefusedException(ErrorCode.IS_A_DIRECTORY, "'" + request.path() + "' is a directory");
        }
        if (!attrs.isRegularFile()) {
            // A FIFO or device would block or never end; only regular files are served.
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + request.path() + "' is not a regular file");
        }
        for (int attempt = 0; attempt < STABLE_ATTEMPTS; attempt++) {
            FileVersions.Observed observed = FileVersions.observe(real);
            DigestCache.Version before = observed.version();
            Md5 md5;
            FileChannel file;
            try {
                md5 = server.digests().digestOf(before, Connection.keepalive(writer, request.keepaliveMs()));
                file = FileChannel.open(real, StandardOpenOption.READ);
            } catch (AccessDeniedException e) {
                throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + request.path() + "' is not readable");
            }
            DigestCache.Version after = FileVersions.of(real);
            if (before.equals(after) && file.size() == before.size()) {
                // Same version, same ctime: the mode read with it is the one of what is sent.
                return new Opened(file, before, md5, PreservedAttributes.of(observed));
            }
            file.close();
            server.digests().forget(before);
        }
        throw new RefusedException(ErrorCode.BUSY, "'" + request.path() + "' keeps changing; try again later");
    }

    private void streamBody(FileChannel file, long offset, long size) throws IOException {
        if (tlsOut != null) {
            copyBody(file, offset, size);
            return;
        }
        long position = offset;
        ByteBuffer fallback = null;
        try {
            while (position < size) {
                long want = allowance(Math.min(size - position, CHUNK));
                // Entered per chunk, so the write deadline sees progress (or its absence).
                clock.enter();
                long n = file.transferTo(position, want, channel);
                if (n == 0) {
                    if (position >= file.size()) {
                        // Truncated under us: the client sees a short body and keeps its partial.
                        throw new IOException("file shrank while being sent");
                    }
                    // transferTo may give up on a full socket instead of waiting; a plain
                    // write parks until the client reads (or the write deadline closes the channel).
                    if (fallback == null) {
                        fallback = ByteBuffer.allocate(64 * 1024);
                    }
                    n = writeThrough(file, position, (int) want, fallback);
                }
                passed(n);
                position += n;
                sent = position - offset;
            }
        } finally {
            clock.exit();
        }
    }

    /** Under TLS: through the encrypted stream, one reused buffer at a time. */
    private void copyBody(FileChannel file, long offset, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TLS_CHUNK, Math.max(1, size - offset)));
        long position = offset;
        try {
            while (position < size) {
                long want = allowance(Math.min(buf.capacity(), size - position));
                clock.enter();
                buf.clear();
                buf.limit((int) want);
                int read = file.read(buf, position);
                if (read <= 0) {
                    throw new IOException("file shrank while being sent");
                }
                tlsOut.write(buf.array(), 0, read);
                // Flushed per chunk under a throttle: paced bytes must leave now, not pile up.
                if (throttle.limits()) {
                    tlsOut.flush();
                }
                passed(read);
                position += read;
                sent = position - offset;
            }
            tlsOut.flush();
        } finally {
            clock.exit();
        }
    }

    /** How many of {@code wanted} bytes may go now: all of them without a throttle. */
    private long allowance(long wanted) {
        return throttle.piece(wanted);
    }

    private void passed(long bytes) {
        throttle.spend(bytes);
    }

    private long writeThrough(FileChannel file, long position, int limit, ByteBuffer buf) throws IOException {
        buf.clear();
        buf.limit(Math.min(buf.capacity(), limit));
        int read = file.read(buf, position);
        if (read <= 0) {
            throw new IOException("file shrank while being sent");
        }
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        return read;
    }
}
