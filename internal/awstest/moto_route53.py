# Runs moto's server with its Route 53 change journal indexed.
#
# moto 5.2.1 keeps every change ever made to a zone in a list
# (FakeZone.rr_changes) and scans all of it for every CREATE and DELETE of a
# change batch, so a batch of 1,000 changes in a zone that has seen 20,000
# takes tens of seconds: the local AWS double would measure moto, not the
# tool under test. This keeps moto's answers exactly as they are and looks
# the journal up by record name and type instead. If moto's internals are
# not what this expects, moto runs unpatched.
import os
import sys
import threading

import moto.server


def exit_with_parent():
    """Ends moto when its standard input closes.

    The double holds moto's standard input open while it runs and never
    writes to it; the operating system closes it when the process that
    started moto ends, however it ends, on every platform."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(0)


def index_route53_journal():
    try:
        from moto.route53 import models
    except ImportError:
        return
    base = getattr(models, "ChangeList", None)
    if base is None or not hasattr(base, "has_insert_or_update"):
        return

    def key(rr_set):
        return (rr_set["Name"].strip("."), rr_set.get("Type"))

    class IndexedChangeList(base):
        def __init__(self, *args):
            super().__init__(*args)
            self._by_key = {}
            for change in self:
                self._by_key.setdefault(key(change["ResourceRecordSet"]), []).append(change)

        def append(self, item):
            super().append(item)
            self._by_key.setdefault(key(item["ResourceRecordSet"]), []).append(item)

        def __contains__(self, item):
            item["ResourceRecordSet"]["Name"] = item["ResourceRecordSet"]["Name"].strip(".")
            return any(change == item for change in self._by_key.get(key(item["ResourceRecordSet"]), ()))

        def has_insert_or_update(self, new_rr_set):
            for change in self._by_key.get(key(new_rr_set), ()):
                if change["Action"] not in ("CREATE", "UPSERT"):
                    continue
                rr_set = change["ResourceRecordSet"]
                if "TTL" not in rr_set:
                    return True
                if rr_set["TTL"] == new_rr_set.get("TTL") and rr_set["ResourceRecords"] == new_rr_set.get("ResourceRecords"):
                    return True
            return False

    models.ChangeList = IndexedChangeList


threading.Thread(target=exit_with_parent, daemon=True).start()
index_route53_journal()
moto.server.main(sys.argv[1:])
