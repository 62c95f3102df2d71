package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.FrameWriter;
import ft.protocol.Glob;
import ft.protocol.HeaderCodec;
import ft.protocol.ListItem;
import ft.protocol.Protocol;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.Entry;
import ft.server.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Answers find: walks a tree depth-first and streams each match as it is found, so the
 * server holds one directory stream per level, not the whole tree.
 *
 * <p>Symlinks that stay inside the root are followed (by the storage's walk): a link to a file is
 * a file and a link to a directory is walked, both under the link's own path, as get would
 * reach them. A link that leads outside the root, into the state directory, nowhere, or back
 * into a directory being walked (a loop) is reported as a {@code link} and not followed.
 *
 * <p>Without a pattern every file, directory and such link below the start is sent
 * (directories so a mirror can recreate empty ones). With a pattern only files whose path
 * relative to the start matches are sent; the walk begins at the pattern's literal prefix,
 * reached by the same rules, and skips subtrees the pattern cannot match.
 */
final class FindFiles {
    private static final HeaderCodec CODEC = new HeaderCodec();

    private final RequestContext ctx;
    private final Request.Find request;
    private final FrameWriter writer;
    private final Glob glob;
    private long sent;

    private FindFiles(RequestContext ctx, Request.Find request, Glob glob) {
        this.ctx = ctx;
        this.request = request;
        this.writer = ctx.writer();
        this.glob = glob;
    }

    static void handle(Request.Find request, RequestContext ctx) throws RefusedException, IOException {
        new FindFiles(ctx, request, compile(request.pattern())).walk();
    }

    private static Glob compile(String pattern) throws RefusedException {
        if (pattern == null) {
            return null;
        }
        try {
            return Glob.compile(pattern);
        } catch (IllegalArgumentException e) {
            throw new RefusedException(ErrorCode.BAD_REQUEST, "bad pattern: " + e.getMessage());
        }
    }

    private void walk() throws RefusedException, IOException {
        String prefix = glob == null ? "" : glob.literalPrefixDirectory();
        boolean[] started = {false};
        Response.Error stoppedBy = null;
        try {
            ctx.storage().walk(request.path(), prefix, new Storage.Walker() {
                @Override
                public void begin() throws IOException {
                    ctx.answer(new Response.Ok());
                    ctx.phase(RequestContext.Phase.SENDING);
                    started[0] = true;
                }

                @Override
                public boolean visit(String relative, Entry entry) throws IOException {
                    return FindFiles.this.visit(relative, entry);
                }
            });
        } catch (IOException e) {
            if (!started[0]) {
                throw e; // nothing sent yet: the request's failure, answered as such
            }
            // The listing is under way: the failure goes into its end frame, in step.
            stoppedBy = new Response.Error(
                    FailureTranslator.codeOf(e),
                    "the walk stopped early: " + e.getClass().getSimpleName());
        }
        writer.writeFrame(CODEC.encode(new ListItem.End(sent, false, stoppedBy)));
        writer.flush();
    }

    /** Sends what matches; says whether to walk into a directory. */
    private boolean visit(String rel, Entry entry) throws IOException {
        if (tooLong(rel)) {
            return false;
        }
        switch (entry.type()) {
            case FILE -> {
                if (glob == null || glob.matches(rel)) {
                    emit(rel, entry);
                }
                return false;
            }
            case DIR -> {
                if (glob == null) {
                    emit(rel, entry);
                }
                return glob == null || glob.mayMatchBelow(rel);
            }
            case LINK -> {
                if (glob == null) {
                    emit(rel, entry);
                }
                return false;
            }
            default -> {
                return false; // sockets, FIFOs, devices: nothing a client could get
            }
        }
    }

    /** Only followed links make such paths; a client could not name them in a get. */
    private boolean tooLong(String relative) {
        return join(request.path(), relative).getBytes(StandardCharsets.UTF_8).length > Protocol.MAX_PATH_BYTES;
    }

    private void emit(String relative, Entry entry) throws IOException {
        writer.writeFrame(CODEC.encode(
                new ListItem.Entry(join(request.path(), relative), entry.type(), entry.size(), entry.mtime())));
        sent++;
        ctx.bytes(sent);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
    }
}
