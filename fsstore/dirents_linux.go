package fsstore

import (
	"os"
	"syscall"
	"unsafe"
)

// listWithTypes lists a folder with each name's kind as the listing gives
// it (a symbolic link is kindOther: never followed), with getdents(2)
// straight into strings: no DirEntry per name.
func listWithTypes(f *os.File) (names []string, kinds []fileKind, err error) {
	err = eachName(f, func(name []byte, kind fileKind) {
		names = append(names, string(name))
		kinds = append(kinds, kind)
	})
	if err != nil {
		return nil, nil, err
	}
	return names, kinds, nil
}

// eachName calls fn with each name in the folder f (but . and ..) and its
// kind, from getdents(2): name is valid only during the call.
func eachName(f *os.File, fn func(name []byte, kind fileKind)) error {
	buf := make([]byte, 64<<10)
	fd := int(f.Fd())
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "readdirent", Path: f.Name(), Err: err}
		}
		if n <= 0 {
			return nil
		}
		for b := buf[:n]; len(b) > 0; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
			if len(b) < 19 {
				break
			}
			reclen := int(*(*uint16)(unsafe.Pointer(&b[16])))
			if reclen < 19 || reclen > len(b) {
				break
			}
			typ := b[18]
			name := b[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			b = b[reclen:]
			if string(name) == "." || string(name) == ".." {
				continue
			}
			kind := kindOther
			switch typ {
			case syscall.DT_REG:
				kind = kindFile
			case syscall.DT_DIR:
				kind = kindDir
			case syscall.DT_UNKNOWN: // a file system that does not say
				_, kind = lstatPath(f.Name() + string(os.PathSeparator) + string(name))
			}
			fn(name, kind)
		}
	}
}
