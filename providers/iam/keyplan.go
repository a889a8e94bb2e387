package iam

import "slices"

// keyState is what ensureCredentials observed of a user's access keys and
// stored credentials, and what the change asks of them.
type keyState struct {
	keys []accessKey // the user's keys, sorted by ID
	// stored is the key ID the credentials at the wanted location belong
	// to; "" when there are none.
	stored string
	// storedFits: the stored credentials are for the wanted region and its
	// SMTP host.
	storedFits bool
	// previous lists the key IDs of the credentials at former locations.
	previous []string
	rotate   bool
}

// keyDeletion is one access key to delete and why, in the words of the
// error should the deletion fail.
type keyDeletion struct {
	id  string
	why string // "extra", "unstored" or "superseded"
}

// keyPlan is what ensureCredentials does with a user's access keys.
type keyPlan struct {
	// current is the key whose credentials are at the wanted location; ""
	// when none of the user's keys is.
	current string
	// reuse: the stored credentials work and no rotation is asked, so no
	// new key is made; remove then holds the keys beside current.
	reuse bool
	// settle: wait until current is old enough before the deletions (see
	// Provider.settle).
	settle bool
	// remove lists the keys to delete, in order, before any new key.
	remove []keyDeletion
	// replaced lists the stored keys a new key replaces: they are deleted
	// only once AWS accepts the new key.
	replaced []string
}

// planKeys decides what becomes of a user's access keys. Keys whose secret
// is in no store are deleted (it is lost for good); keys whose credentials
// are stored stay until a new key works; IAM allows two keys per user, so
// when two are stored the one that is not at the wanted location makes
// room.
func planKeys(s keyState) keyPlan {
	var kp keyPlan
	keep := map[string]bool{} // keys whose credentials are in a store
	usable := false
	for _, k := range s.keys {
		if s.stored != "" && k.id == s.stored {
			kp.current = k.id
			keep[k.id] = true
			usable = k.active && s.storedFits
		}
	}
	for _, k := range s.keys {
		if slices.Contains(s.previous, k.id) {
			keep[k.id] = true
		}
	}
	if usable && !s.rotate {
		kp.reuse = true
		kp.settle = len(s.keys) > 1
		for _, k := range s.keys {
			if k.id != kp.current {
				kp.remove = append(kp.remove, keyDeletion{k.id, "extra"})
			}
		}
		return kp
	}
	remaining := 0
	for _, k := range s.keys {
		if !keep[k.id] {
			kp.remove = append(kp.remove, keyDeletion{k.id, "unstored"})
			continue
		}
		remaining++
	}
	for _, k := range s.keys {
		if remaining < 2 {
			break
		}
		if keep[k.id] && k.id != kp.current {
			kp.remove = append(kp.remove, keyDeletion{k.id, "superseded"})
			delete(keep, k.id)
			remaining--
		}
	}
	for _, k := range s.keys {
		if keep[k.id] {
			kp.replaced = append(kp.replaced, k.id)
		}
	}
	return kp
}

// strayKeys lists the keys, listed after a new key was stored, that nobody
// holds the secret of: all but the new key and, while AWS has not accepted
// the new key, the ones it replaces (kept).
func strayKeys(now []accessKey, newID string, kept []string) []string {
	var out []string
	for _, k := range now {
		if k.id != newID && !slices.Contains(kept, k.id) {
			out = append(out, k.id)
		}
	}
	return out
}
