package ft.server.storage.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * One step of a walk into a name of a real directory, symlinks inside the root followed: what
 * a client reaches there, as get and stat would reach it through {@link RootJail}.
 *
 * @param kind  what the name is for the walk
 * @param real  the real path to read or walk (for a followed link, its target's)
 * @param attrs the attributes to report: the target's for a followed link, the link's own for
 *              a link that is not followed (nothing about its target is revealed)
 */
record TreeStep(Kind kind, Path real, BasicFileAttributes attrs) {
    enum Kind {
        FILE,
        DIR,
        /** A symlink that is not followed: outside the root, into the state directory, dangling, or a loop. */
        LINK,
        /** Anything else: a FIFO, socket or device, which no client can get. */
        OTHER
    }

    /**
     * What {@code name} in the real directory {@code dir} is; null when it does not exist, is
     * the state directory, or cannot be examined.
     *
     * @param chain the real directories being walked (from the root down); a link to one of them
     *              is a loop
     */
    static TreeStep of(RootJail jail, Path dir, String name, List<Path> chain) {
        Path entry;
        BasicFileAttributes own;
        try {
            entry = dir.resolve(name);
            own = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | InvalidPathException gone) {
            return null;
        }
        if (entry.equals(jail.stateDir())) {
            return null;
        }
        if (!own.isSymbolicLink()) {
            return new TreeStep(kindOf(own), entry, own);
        }
        Path target;
        BasicFileAttributes targetAttrs;
        try {
            target = entry.toRealPath();
            targetAttrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException danglingOrLooping) {
            return new TreeStep(Kind.LINK, entry, own);
        }
        if (!jail.contains(target) || (targetAttrs.isDirectory() && chain.contains(target))) {
            return new TreeStep(Kind.LINK, entry, own);
        }
        return new TreeStep(kindOf(targetAttrs), target, targetAttrs);
    }

    private static Kind kindOf(BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
            return Kind.DIR;
        }
        return attrs.isRegularFile() ? Kind.FILE : Kind.OTHER;
    }
}
