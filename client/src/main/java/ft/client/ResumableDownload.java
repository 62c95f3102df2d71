package ft.client;

import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.Body;
import ft.transfer.ByteSize;
import ft.transfer.NoSpaceException;
import ft.transfer.Throttle;
import ft.transfer.WriteBehind;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.function.Consumer;

/**
 * Downloads one remote file to a local path, resuming from an earlier partial when it is of
 * the same server file, and never putting anything unverified under the target's name.
 *
 * <p>The local path is the caller's choice alone; the name the server sends is only checked
 * for hostility. A partial is resumed with the server's digest as a condition
 * ({@code if_md5}), so a file replaced on the server since is fetched whole instead of being
 * spliced onto old bytes.
 */
public final class ResumableDownload {
    /** What a finished download did. */
    public record Result(Path target, long size, Md5 md5, long resumedFrom) {}

    private final FtClient client;
    private final Progress progress;
    private final boolean resume;
    private final Preserve preserve;
    private final Throttle throttle;

    public ResumableDownload(FtClient client, boolean resume, Progress progress) {
        this(client, resume, progress, Preserve.NOTHING, Throttle.NONE);
    }

    /**
     * @param preserve which of the server file's attributes the copy takes (when the server sends them)
     * @param throttle the pace the body may arrive at
     */
    public ResumableDownload(FtClient client, boolean resume, Progress progress, Preserve preserve, Throttle throttle) {
        this.client = client;
        this.resume = resume;
        this.progress = progress;
        this.preserve = preserve;
        this.throttle = throttle;
    }

    public Result download(String remotePath, Path target) throws FtException {
        Asked asked = ask(remotePath, target);
        Response.GetOk ok = client.get(asked.request(), noteServerHashing(progress, remotePath));
        return receive(asked, ok);
    }

    /**
     * The first half of a download, for a caller that sends the request itself (ahead of the
     * answers to earlier ones, see {@link FtClient#sendGet}): what to ask the server for, given
     * what is held locally. {@link #receive} takes the answer.
     */
    record Asked(
            String remotePath, Path target, PartialDownload partial, PartialDownload.Meta held, Request.Get request) {}

    /** Works out the request for {@code remotePath}: from 0, or resuming a held partial. */
    Asked ask(String remotePath, Path target) throws FtException {
        PartialDownload partial = new PartialDownload(target);
        try {
            if (Files.isDirectory(target)) {
                throw new LocalIoException("cannot write " + target + ": it is a directory", null);
            }
            PartialDownload.Meta held = resume ? partial.read() : null;
            long offset = 0;
            Md5 ifMd5 = null;
            // The partial's digest is sent as a condition, so the server itself decides whether
            // these bytes still belong to what it serves; no other check is needed for safety.
            if (held != null && partial.length() <= held.size() && Md5.isValid(held.md5())) {
                offset = partial.length();
                ifMd5 = new Md5(held.md5());
            }
            return new Asked(remotePath, target, partial, held, new Request.Get(remotePath, offset, ifMd5));
        } catch (IOException e) {
            throw LocalErrors.failure("cannot write " + target, e);
        }
    }

    /**
     * The second half: takes the server's answer {@code ok} to {@code asked}, receives the body
     * that follows it, verifies it and publishes it under the target's name.
     */
    Result receive(Asked asked, Response.GetOk ok) throws FtException {
        return publish(receiveVerified(asked, ok, false));
    }

    /**
     * A download received and verified, not yet under its name: {@link #publish} gives it the
     * name, after syncing its data when it was received without ({@code synced} false).
     */
    record Verified(Result result, PartialDownload partial, Object opened, Response.GetOk ok, boolean synced) {}

    /**
     * Receives and verifies the body that follows {@code ok}; with {@code syncLater} its data is
     * not synced yet, so that {@link #publish}, run beside other files' on other threads, syncs
     * many files at once and the file system commits them together.
     */
    Verified receiveVerified(Asked asked, Response.GetOk ok, boolean syncLater) throws FtException {
        try {
            return run(
                    asked.remotePath(), asked.target(), asked.partial(), asked.held(), asked.request(), ok, syncLater);
        } catch (IOException e) {
            throw LocalErrors.failure("cannot write " + asked.target(), e);
        }
    }

    /**
     * Puts a verified download under its name: synced first if it was not, checked to still be
     * the file written, given its mode and attributes, then renamed over the target.
     */
    Result publish(Verified v) throws FtException {
        PartialDownload partial = v.partial();
        Path target = v.result().target();
        try {
            if (!v.synced()) {
                // By name; the check below proves that the name still is the file written, so
                // the file synced here is the one that takes the target's name.
                try (FileChannel data = FileChannel.open(partial.data, StandardOpenOption.READ)) {
                    data.force(false);
                }
            }
            // The name must still be the file written (not a link swapped in): the attributes are set
            // by name, not following a link, and rename(2) moves a name, never what it points to.
            partial.checkStillOpened(v.opened());
            partial.publishMode();
            // Before the rename, so the file never appears under its name without them.
            LocalAttributes.apply(partial.data, v.ok().attributes(), preserve);
            Files.move(partial.data, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(partial.meta);
            return v.result();
        } catch (IOException e) {
            throw LocalErrors.failure("cannot write " + target, e);
        }
    }

    private Verified run(
            String remotePath,
            Path target,
            PartialDownload partial,
            PartialDownload.Meta held,
            Request.Get request,
            Response.GetOk ok,
            boolean syncLater)
            throws FtException, IOException {
        String server = client.server().toString();
        long offset = request.offset();
        Md5 ifMd5 = request.ifMd5();
        checkName(ok.name());
        if (ok.offset() != offset && !(ifMd5 != null && ok.offset() == 0)) {
            throw new BadResponseException(
                    client.server() + " answered offset " + ok.offset() + " to a request for offset " + offset);
        }
        if (ok.offset() > 0 && (ok.size() != held.size() || !ok.md5().hex().equals(held.md5()))) {
            throw new BadResponseException(client.server() + " resumed a file whose size or MD5 differs from "
                    + "the one the partial download was started from");
        }
        if (offset > 0 && ok.offset() == 0) {
            progress.note("'" + remotePath + "' changed on the server since the partial download; starting over");
        } else if (ok.offset() > 0) {
            progress.note("resuming at " + ByteSize.format(ok.offset()) + " (" + ok.offset() + " bytes) of "
                    + ByteSize.format(ok.size()));
        }
        long from = ok.offset();
        PartialDownload.Meta meta =
                new PartialDownload.Meta(server, remotePath, ok.size(), ok.md5().hex());
        checkSpace(target, partial, ok, meta, held);
        boolean metaFirst = ok.bodyLength() >= PartialDownload.META_FIRST_BYTES;
        // The held meta stays while it describes this file, with its MD5 state only when those bytes are kept.
        // (sameFile, not a record's equals: its first call spins a class at run time, a fifth of a small get.)
        boolean keepHeld = meta.sameFile(held) && (from > 0 || held.md5State() == null);
        if (metaFirst && !keepHeld) {
            partial.write(meta);
        } else if (!metaFirst && !keepHeld) {
            // A meta left from before (even one not read: --no-resume, or an orphan) would
            // describe bytes about to be replaced.
            partial.discardMeta();
        }

        progress.start(remotePath, ok.size(), from);
        Object opened;
        PartialDigest md5;
        try (FileChannel file = partial.openData(from > 0)) {
            opened = partial.dataKey();
            file.truncate(from);
            // Only the bytes after the MD5 state saved with the partial are read back, if any.
            String label = target.toString();
            md5 = PartialDigest.resume(file, from, from > 0 ? held : null, done -> progress.hashing(label, done, from));
            file.position(from);
            try (WriteBehind sink = md5.sink(file, from, partial, meta)) {
                receiveBody(sink, target, ok, md5);
                sink.drain();
            } catch (BadResponseException e) {
                // Nothing from a server that is out of step is kept, not even the announced part.
                file.close();
                partial.discard();
                throw e;
            } catch (FtException e) {
                // Cut short: what arrived is kept for a rerun, which needs to know whose bytes they
                // are, and gets the MD5 state of exactly those bytes so as not to read them back.
                md5.saveExact(file, partial, meta, !metaFirst && !keepHeld, e);
                throw e;
            }
            if (!syncLater) {
                file.force(false);
            }
        } finally {
            progress.finish();
        }
        Md5 actual = Md5.of(md5.digest());
        if (!actual.equals(ok.md5())) {
            partial.discard();
            throw new ChecksumException("'" + remotePath + "' arrived with MD5 " + actual + " but the server announced "
                    + ok.md5() + "; the download was discarded");
        }
        return new Verified(new Result(target, ok.size(), actual, from), partial, opened, ok, !syncLater);
    }

    /**
     * Refuses a body the local disk cannot hold before its first byte (NO_SPACE), as the server
     * does for uploads. The connection is closed (the body is already on its way) and what is
     * held stays, with its meta, for a rerun once there is room.
     */
    private void checkSpace(
            Path target,
            PartialDownload partial,
            Response.GetOk ok,
            PartialDownload.Meta meta,
            PartialDownload.Meta held)
            throws IOException, FtException {
        Path dir = partial.data.toAbsolutePath().getParent();
        long free = FreeSpace.usableIn(dir);
        if (free >= ok.bodyLength()) {
            return;
        }
        client.close();
        String kept;
        if (ok.offset() > 0) {
            if (!meta.sameFile(held)) {
                partial.write(meta);
            }
            kept = "the partial download (" + ByteSize.format(ok.offset()) + " of " + ByteSize.format(ok.size())
                    + ") is kept: free some space and rerun the same command to resume";
        } else {
            kept = "nothing was written";
        }
        throw LocalIoException.noSpace("not enough space for " + target + ": " + ByteSize.format(ok.bodyLength())
                + " more needed, " + ByteSize.format(free) + " free in " + dir + "; " + kept);
    }

    private void receiveBody(WritableByteChannel file, Path target, Response.GetOk ok, MessageDigest md5)
            throws FtException, IOException {
        InputStream in = client.body();
        long from = ok.offset();
        try {
            Body.receive(throttle.paced(in), file, ok.bodyLength(), md5, n -> progress.advance(from + n));
        } catch (Body.SinkFailedException e) {
            throw new LocalIoException(
                    "cannot write the download: " + e.getMessage(), NoSpaceException.classify(e.getCause(), target));
        } catch (EOFException e) {
            throw new ConnectionException(
                    ConnectionException.CONNECTION_LOST,
                    "connection to " + client.server() + " lost: " + e.getMessage() + FtClient.RESUME_HINT,
                    e);
        } catch (IOException e) {
            throw client.lostMidTransfer(e, "during the body");
        }
        // Bytes beyond the announced body, already here with it, mean a server out of step; unless
        // requests were sent ahead, whose answers these bytes then are.
        if (client.unanswered() == 0 && in.available() > 0) {
            throw new BadResponseException(
                    client.server() + " sent more bytes than the " + ok.bodyLength() + " it announced");
        }
    }

    /** Says once, when the server first reports it is still hashing {@code remotePath}, why nothing moves yet. */
    static Consumer<Response.Wait> noteServerHashing(Progress progress, String remotePath) {
        boolean[] told = {false};
        return wait -> {
            if (!told[0]) {
                told[0] = true;
                progress.note("the server is computing the MD5 of '" + remotePath + "' before sending it ("
                        + (wait.total() == 0 ? 0 : wait.done() * 100 / wait.total()) + "% done)");
            }
        };
    }

    /** A name that could steer a client which trusted it somewhere else is refused outright. */
    static void checkName(String name) throws BadResponseException {
        boolean hostile = name.isEmpty()
                || name.equals(".")
                || name.equals("..")
                || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                || (name.length() >= 2 && name.charAt(1) == ':');
        if (hostile) {
            throw new BadResponseException("the server sent an unsafe file name; refusing the download");
        }
    }
}
