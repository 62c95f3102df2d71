package ft.client;

import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.Body;
import ft.transfer.ByteSize;
import ft.transfer.Throttle;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Uploads one local file. The server keeps interrupted uploads keyed by path, size and MD5,
 * so simply putting the same file again resumes where the last attempt stopped.
 */
public final class ResumableUpload {
    /** What a finished upload did; {@code md5} is the digest the server verified. */
    public record Result(String remotePath, long size, Md5 md5, long resumedFrom) {}

    private final FtClient client;
    private final Progress progress;
    private final Preserve preserve;
    private final Throttle throttle;

    public ResumableUpload(FtClient client, Progress progress) {
        this(client, progress, Preserve.NOTHING, Throttle.NONE);
    }

    /**
     * @param preserve which of the local file's attributes the stored file is to carry (when
     *                 the server takes them; an older one does not, and is told nothing)
     * @param throttle the pace the body may leave at
     */
    public ResumableUpload(FtClient client, Progress progress, Preserve preserve, Throttle throttle) {
        this.client = client;
        this.progress = progress;
        this.preserve = preserve;
        this.throttle = throttle;
    }

    public Result upload(Path local, String remotePath) throws FtException {
        return upload(local, remotePath, null);
    }

    /**
     * Uploads with a digest already known (e.g. from a {@link DigestJournal}); null means hash
     * the file first. A stale digest costs a rejected upload (CHECKSUM_MISMATCH), never a
     * wrong file on the server.
     */
    public Result upload(Path local, String remotePath, Md5 knownMd5) throws FtException {
        try (FileChannel file = FileChannel.open(local, StandardOpenOption.READ)) {
            if (Files.isDirectory(local)) {
                throw new LocalIoException("cannot read " + local + ": it is a directory", null);
            }
            long size = file.size();
            client.checkUpload(remotePath, size);
            Md5 md5 = knownMd5;
            if (md5 == null) {
                MessageDigest digest = Body.newMd5();
                String label = local.toString();
                Body.hash(file, size, digest, done -> progress.hashing(label, done, size));
                md5 = Md5.of(digest.digest());
            }

            FileAttributes attributes =
                    client.limits() != null && client.limits().preserve() ? LocalAttributes.of(local, preserve) : null;
            if (client.takesEagerPut(size)) {
                return uploadEager(file, remotePath, size, md5, attributes);
            }
            Response.PutReady ready = client.put(new Request.Put(remotePath, size, md5, false, attributes));
            long offset = ready.offset();
            if (offset > size) {
                throw new BadResponseException(
                        client.server() + " asked for the body from offset " + offset + " of a " + size + "-byte file");
            }
            if (offset > 0) {
                progress.note("resuming at " + ByteSize.format(offset) + " (" + offset + " bytes) of "
                        + ByteSize.format(size));
            }
            progress.start(remotePath, size, offset);
            Response.PutDone done;
            try {
                done = client.sendBody(file, offset, size - offset, progress, throttle);
            } finally {
                progress.finish();
            }
            checkConfirmed(done, md5);
            return new Result(remotePath, size, md5, offset);
        } catch (IOException e) {
            throw LocalErrors.failure("cannot read " + local, e);
        }
    }

    /** A small file in one exchange: header and body together, then the server's verdict. */
    private Result uploadEager(FileChannel file, String remotePath, long size, Md5 md5, FileAttributes attributes)
            throws FtException, IOException {
        java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate((int) size);
        while (body.hasRemaining()) {
            if (file.read(body, body.position()) < 0) {
                throw new LocalIoException(
                        "cannot read the file for '" + remotePath + "': it shrank to " + body.position() + " bytes",
                        null);
            }
        }
        progress.start(remotePath, size, 0);
        Response.PutDone done;
        try {
            throttle.spend(size);
            done = client.putEager(remotePath, body.array(), md5, attributes);
            progress.advance(size);
        } finally {
            progress.finish();
        }
        checkConfirmed(done, md5);
        return new Result(remotePath, size, md5, 0);
    }

    private void checkConfirmed(Response.PutDone done, Md5 md5) throws BadResponseException {
        if (!done.md5().equals(md5)) {
            throw new BadResponseException(
                    client.server() + " confirmed MD5 " + done.md5() + " for a file whose MD5 is " + md5);
        }
    }
}
