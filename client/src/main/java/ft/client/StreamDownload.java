package ft.client;

import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.Body;
import ft.transfer.Throttle;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Downloads one remote file into a stream, such as standard output ({@code ft get F -o -}),
 * as curl does: the bytes go out as they arrive, so the MD5 can only be checked at the end, and
 * a mismatch is reported ({@code CHECKSUM_MISMATCH}) after the fact. A dropped connection is retried, asking for
 * the file from the first byte not yet written, on condition that it is still the same version
 * ({@code if_md5}); a file replaced meanwhile cannot be spliced and ends the download.
 */
public final class StreamDownload {
    /** What was written: the whole file, verified. */
    public record Result(long size, Md5 md5) {}

    private final Batch.Connector connector;
    private final int retries;
    private final Duration firstBackoff;
    private final Progress progress;
    private final Throttle throttle;

    public StreamDownload(
            Batch.Connector connector, int retries, Duration firstBackoff, Progress progress, Throttle throttle) {
        this.connector = connector;
        this.retries = retries;
        this.firstBackoff = firstBackoff;
        this.progress = progress;
        this.throttle = throttle;
    }

    public Result download(String remotePath, OutputStream out) throws FtException {
        MessageDigest md5 = Body.newMd5();
        Version version = new Version();
        for (int attempt = 0; ; attempt++) {
            try (FtClient client = connector.connect()) {
                receive(client, remotePath, out, md5, version);
                break;
            } catch (FtException e) {
                if (attempt >= retries || !Batch.retryable(e) || e instanceof ChecksumException) {
                    throw e;
                }
                Duration wait = Batch.backoffBefore(attempt, firstBackoff);
                progress.note(RetryNote.of(wait, e));
                LockSupport.parkNanos(wait.toNanos());
            }
        }
        Md5 actual = Md5.of(md5.digest());
        if (!actual.equals(version.md5)) {
            throw new ChecksumException("'" + remotePath + "' arrived with MD5 " + actual + " but the server announced "
                    + version.md5 + "; the bytes written are damaged: discard them");
        }
        return new Result(version.size, actual);
    }

    /** The server's version this download writes: fixed by the first answer. */
    private static final class Version {
        Md5 md5;
        long size;
        long written;
    }

    private void receive(FtClient client, String remotePath, OutputStream out, MessageDigest md5, Version v)
            throws FtException {
        Response.GetOk ok = client.get(
                new Request.Get(remotePath, v.written, v.md5),
                ResumableDownload.noteServerHashing(progress, remotePath));
        ResumableDownload.checkName(ok.name());
        if (v.md5 == null) {
            v.md5 = ok.md5();
            v.size = ok.size();
        } else if (ok.offset() != v.written || !ok.md5().equals(v.md5)) {
            // Not a server out of step: the file was replaced while being written out.
            throw new ChecksumException("'" + remotePath + "' changed on the server after " + v.written
                    + " bytes of it were written; what was written is not one whole version: discard it");
        }
        if (ok.offset() != v.written) {
            throw new BadResponseException(
                    client.server() + " answered offset " + ok.offset() + " to a request for offset " + v.written);
        }
        if (v.written > 0) {
            progress.note("resuming at " + v.written + " bytes");
        }
        progress.start(remotePath, ok.size(), v.written);
        try {
            copy(client, ok, out, md5, v);
        } finally {
            progress.finish();
        }
    }

    private void copy(FtClient client, Response.GetOk ok, OutputStream out, MessageDigest md5, Version v)
            throws FtException {
        InputStream in = throttle.paced(client.body());
        byte[] buf = new byte[Body.BUFFER_BYTES];
        long left = ok.bodyLength();
        while (left > 0) {
            int n;
            try {
                n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("the body ended " + left + " bytes early");
                }
            } catch (EOFException e) {
                throw new ConnectionException(
                        ConnectionException.CONNECTION_LOST,
                        "connection to " + client.server() + " lost: " + e.getMessage(),
                        e);
            } catch (IOException e) {
                throw client.lost(e, "during the body");
            }
            try {
                out.write(buf, 0, n);
            } catch (IOException e) {
                throw LocalErrors.failure("cannot write to the output", e);
            }
            md5.update(buf, 0, n);
            v.written += n;
            left -= n;
            progress.advance(v.written);
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw LocalErrors.failure("cannot write to the output", e);
        }
    }
}
