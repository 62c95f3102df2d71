package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/** Answers mkdir, rm and mv. Each acts on names inside the root and never follows a final symlink. */
final class EditTree {
    private EditTree() {}

    static void mkdir(Request.MakeDirectory request, RequestContext ctx) throws RefusedException, IOException {
        Share share = ctx.share();
        share.jail().makeDirectory(request.path(), request.parents());
        ctx.answer(new Response.Ok());
    }

    static void rm(Request.Remove request, RequestContext ctx) throws RefusedException, IOException {
        Share share = ctx.share();
        Path entry = share.jail().resolveEntry(request.path());
        boolean directory = Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
        try {
            if (directory && request.recursive()) {
                removeTree(entry);
            } else {
                Files.delete(entry);
            }
        } catch (DirectoryNotEmptyException e) {
            throw new RefusedException(ErrorCode.NOT_EMPTY,
                    "'" + request.path() + "' is a directory that is not empty; remove it recursively");
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + request.path() + "' may not be removed");
        }
        ctx.answer(new Response.Ok());
    }

    static void mv(Request.Move request, RequestContext ctx) throws RefusedException, IOException {
        Share share = ctx.share();
        RootJail jail = share.jail();
        Path source = jail.resolveEntry(request.from());
        Path target;
        Path into = existingDirectory(jail, request.to());
        if (into != null) {
            target = into.resolve(source.getFileName());
            // "sub/.ft" moved into the root (named through a symlink to it) would land on the state dir.
            jail.checkInside(target, request.to());
        } else {
            target = jail.resolveName(request.to());
        }
        if (target.startsWith(source)) {
            throw new RefusedException(ErrorCode.BAD_REQUEST,
                    "cannot move '" + request.from() + "' into itself");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RefusedException(ErrorCode.EXISTS, "the destination of '" + request.from()
                    + "' is an existing directory");
        }
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS) && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "cannot put the directory '" + request.from()
                    + "' in place of the file '" + request.to() + "'");
        }
        try {
            // rename(2): atomic, and replaces an existing file like mv does.
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + request.from() + "' may not be moved there");
        }
        ctx.answer(new Response.Ok());
    }

    /** The real directory {@code clientPath} names, or null if it names no directory. */
    private static Path existingDirectory(RootJail jail, String clientPath) throws RefusedException, IOException {
        try {
            Path p = jail.resolveExisting(clientPath);
            return Files.isDirectory(p) ? p : null;
        } catch (RefusedException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private static void removeTree(Path top) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
