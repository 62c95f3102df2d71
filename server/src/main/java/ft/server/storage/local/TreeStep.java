package ft.server.storage.local;

import ft.server.RefusedException;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One step of a walk into a name of an open directory, symlinks inside the root followed: what
 * a client reaches there, as get and stat would reach it through {@link RootJail}.
 *
 * @param kind      what the name is for the walk
 * @param attrs     the attributes to report: the target's for a followed link, the link's own
 *                  for a link that is not followed (nothing about its target is revealed)
 * @param canonical where the name (or a followed link's target) really is below the root
 * @param viaLink   whether a link was followed to get there
 */
record TreeStep(Kind kind, BasicFileAttributes attrs, List<String> canonical, boolean viaLink) {
    enum Kind {
        FILE,
        DIR,
        /** A symlink that is not followed: outside the root, into a state directory, dangling, or a loop. */
        LINK,
        /** Anything else: a FIFO, socket or device, which no client can get. */
        OTHER
    }

    /**
     * What {@code name} in the open directory {@code dir} (at {@code dirCanonical} below the root)
     * is; null when it does not exist, is a state directory, or cannot be examined.
     *
     * @param chain the identities (dev/inode) of the directories being walked, from the root
     *              down; a link to one of them is a loop
     */
    static TreeStep of(RootJail jail, DirectoryHandle dir, List<String> dirCanonical, String name, Set<Object> chain) {
        BasicFileAttributes own;
        try {
            if (jail.reserved().isStateName(dir, name)) {
                return null;
            }
            own = dir.stat(name);
        } catch (IOException | InvalidPathException gone) {
            return null;
        }
        List<String> canonical = new ArrayList<>(dirCanonical);
        canonical.add(name);
        if (own.isDirectory() && jail.reserved().isState(own.fileKey())) {
            return null;
        }
        if (!own.isSymbolicLink()) {
            return new TreeStep(kindOf(own), own, canonical, false);
        }
        try (RootJail.Resolved target = jail.resolve(String.join("/", canonical), true, false)) {
            BasicFileAttributes targetAttrs = target.attrs();
            if (targetAttrs == null || (targetAttrs.isDirectory() && chain.contains(targetAttrs.fileKey()))) {
                return new TreeStep(Kind.LINK, own, canonical, false);
            }
            return new TreeStep(kindOf(targetAttrs), targetAttrs, target.canonical(), true);
        } catch (IOException | RefusedException | InvalidPathException danglingOutsideOrLooping) {
            return new TreeStep(Kind.LINK, own, canonical, false);
        }
    }

    /**
     * Opens the directory this step reached from {@code dir}: the name itself without following
     * links, or a followed link's target walked again from the root; either must be the
     * directory that was examined.
     */
    DirectoryHandle open(RootJail jail, DirectoryHandle dir, String name) throws IOException, RefusedException {
        if (!viaLink) {
            DirectoryHandle opened = dir.openDirectory(name);
            if (!opened.identity().equals(attrs.fileKey())) {
                opened.close();
                throw new java.nio.file.FileSystemException(name, null, "changed meanwhile");
            }
            return opened;
        }
        try (RootJail.Resolved target = jail.resolve(String.join("/", canonical), true, false)) {
            if (!target.isDirectory() || !target.attrs().fileKey().equals(attrs.fileKey())) {
                throw new java.nio.file.FileSystemException(name, null, "changed meanwhile");
            }
            return target.openDirectory();
        }
    }

    private static Kind kindOf(BasicFileAttributes attrs) {
        if (attrs.isDirectory()) {
            return Kind.DIR;
        }
        return attrs.isRegularFile() ? Kind.FILE : Kind.OTHER;
    }
}
