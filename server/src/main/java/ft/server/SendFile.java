package ft.server;

import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.FrameWriter;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.Entry;
import ft.server.storage.ReadHandle;
import ft.transfer.Deadline;
import ft.transfer.Throttle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Answers one get: header with the whole file's MD5, then the body from the offset, zero-copy. */
final class SendFile {
    private static final long CHUNK = 8L << 20;
    private static final int TLS_CHUNK = 256 * 1024;
    /** Bodies up to this size go out with their header in one write instead of zero-copy. */
    static final int SMALL_BODY = 64 * 1024;

    private static final ft.protocol.HeaderCodec HEADERS = new ft.protocol.HeaderCodec();

    private final RequestContext ctx;
    private final Request.Get request;
    private final FrameWriter writer;
    private final SocketChannel channel;
    private final Deadline clock;
    /** Under TLS, where the body goes (encrypted, watched); null to send zero-copy to the channel. */
    private final OutputStream tlsOut;
    /** The connection's {@code --max-rate}, or null when bodies go as fast as they can. */
    private final Throttle throttle;

    private SendFile(Request.Get request, RequestContext ctx) {
        this.ctx = ctx;
        this.request = request;
        this.writer = ctx.writer();
        this.channel = ctx.wire().channel();
        this.clock = ctx.wire().clock();
        this.tlsOut = ctx.wire().tlsOut();
        this.throttle = ctx.wire().throttle();
    }

    static void handle(Request.Get request, RequestContext ctx) throws RefusedException, IOException {
        new SendFile(request, ctx).run();
    }

    private void run() throws RefusedException, IOException {
        Stable.Found found =
                Stable.find(ctx.storage(), request.path(), ctx.keepalive(request.keepaliveMs()), this::open);
        Entry entry = found.entry();
        if (entry.type() == EntryType.DIR) {
            throw new RefusedException(ErrorCode.IS_A_DIRECTORY, "'" + request.path() + "' is a directory");
        }
        if (entry.type() != EntryType.FILE) {
            // A FIFO or device would block or never end; only regular files are served.
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + request.path() + "' is not a regular file");
        }
        try (ReadHandle file = found.opened()) {
            long offset = offsetFor(found.md5());
            long size = entry.size();
            if (offset > size) {
                throw new RefusedException(
                        ErrorCode.BAD_REQUEST,
                        "offset " + offset + " is past the end of '" + request.path() + "' (" + size + " bytes)");
            }
            if (offset > 0) {
                ctx.services().metrics().resumed("get");
            }
            // Same version as stated: the mode read with it is the one of what is sent.
            FileAttributes attributes = new FileAttributes(entry.mtime(), entry.mode());
            Response.GetOk header = new Response.GetOk(entry.name(), size, found.md5(), offset, attributes);
            if (tlsOut == null && !throttle.limits() && size - offset <= SMALL_BODY) {
                // Header and body in one write: one segment and one wake-up for the client
                // instead of two, and no zero-copy set-up that costs more than the copy.
                byte[] body = readSmall(file, offset, (int) (size - offset));
                ctx.phase(RequestContext.Phase.SENDING); // from here a failure leaves the client out of step
                writer.writeFrameWithBody(HEADERS.encode(header), body);
                writer.flush();
                ctx.bytes(body.length);
                return;
            }
            ctx.phase(RequestContext.Phase.SENDING);
            ctx.answer(header);
            streamBody(file, offset, size);
        }
    }

    /** Where the body starts: the client's offset, or 0 when its partial copy is of another version. */
    private long offsetFor(Md5 md5) {
        return request.ifMd5() != null && !request.ifMd5().equals(md5) ? 0 : request.offset();
    }

    private ReadHandle open(Entry entry, Md5 md5) throws RefusedException, IOException {
        return ctx.storage().openRead(request.path(), entry.version(), offsetFor(md5));
    }

    /** A small body, read whole before the header goes out: a file that shrank is refused in step. */
    private static byte[] readSmall(ReadHandle file, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (file.read(buf, offset + buf.position()) < 0) {
                throw new IOException("file shrank while being read");
            }
        }
        return buf.array();
    }

    private void streamBody(ReadHandle file, long offset, long size) throws IOException {
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
                    // transferTo may give up on a full socket instead of waiting; a plain
                    // write parks until the client reads (or the write deadline closes the channel).
                    if (fallback == null) {
                        fallback = ByteBuffer.allocate(64 * 1024);
                    }
                    n = writeThrough(file, position, (int) want, fallback);
                }
                passed(n);
                position += n;
                ctx.bytes(position - offset);
            }
        } finally {
            clock.exit();
        }
    }

    /** Under TLS: through the encrypted stream, one reused buffer at a time. */
    private void copyBody(ReadHandle file, long offset, long size) throws IOException {
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
                ctx.bytes(position - offset);
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

    private long writeThrough(ReadHandle file, long position, int limit, ByteBuffer buf) throws IOException {
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
