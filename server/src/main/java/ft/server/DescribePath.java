package ft.server;

import ft.protocol.EntryType;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Answers stat: what a path is, and for a file its MD5 (from the digest cache). */
final class DescribePath {
    private DescribePath() {}

    static void stat(Request.Stat request, RequestContext ctx) throws RefusedException, IOException {
        ctx.answer(describe(request, ctx));
    }

    private static Response describe(Request.Stat request, RequestContext ctx) throws RefusedException, IOException {
        Share share = ctx.share();
        Path real = share.jail().resolveExisting(request.path());
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        String name = RootJail.segments(request.path()).getLast();
        long mtime = attrs.lastModifiedTime().toMillis();
        if (attrs.isDirectory()) {
            return new Response.StatOk(name, EntryType.DIR, 0, mtime, null);
        }
        if (!attrs.isRegularFile()) {
            return new Response.StatOk(name, EntryType.OTHER, 0, mtime, null);
        }
        DigestCache.Version version = FileVersions.of(real);
        Md5 md5 = ctx.services().digests().digestOf(version, ctx.keepalive(request.keepaliveMs()));
        return new Response.StatOk(name, EntryType.FILE, version.size(), version.modified().toMillis(), md5);
    }

    /** The type a listing reports: a symlink is a link, whatever it points to. */
    static EntryType typeOf(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) {
            return EntryType.LINK;
        }
        if (attrs.isDirectory()) {
            return EntryType.DIR;
        }
        return attrs.isRegularFile() ? EntryType.FILE : EntryType.OTHER;
    }
}
