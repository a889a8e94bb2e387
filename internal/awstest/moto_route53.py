# Runs moto's server with its Route 53 change journal indexed.
#
# moto 5.2.1 keeps every change ever made to a zone in a list
# (FakeZone.rr_changes) and scans all of it for every CREATE and DELETE of a
# change batch, so a batch of 1,000 changes in a zone that has seen 20,000
# takes tens of seconds: the local AWS double would measure moto, not the
# tool under test. This keeps moto's answers exactly as they are and looks
# the journal up by record name and type instead. If moto's internals are
# not what this expects, moto runs unpatched.
#
# It also answers a CREATE as Route 53 does. moto refuses a CREATE that is
# in its journal (the same set was created once) whenever its zone lists
# any record set at or after that name, so setting a record back to a value
# it once had (DMARC p=none, quarantine, none; a stack applied, destroyed
# and applied again) fails forever with "already exists" in any zone that
# holds other records. Route 53 refuses a CREATE only when a set of that
# name, type and set identifier exists once the batch's earlier changes are
# applied (ChangeResourceRecordSets API reference: "CREATE: Creates a
# resource record set that has the specified values." / InvalidChangeBatch
# "Tried to create resource record set ... but it already exists").
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
    zone_class = getattr(models, "FakeZone", None)
    backend_class = getattr(models, "Route53Backend", None)
    if zone_class is None or backend_class is None or not hasattr(backend_class, "change_resource_record_sets"):
        return

    def key(rr_set):
        return (rr_set["Name"].strip("."), rr_set.get("Type"))

    def set_key(name, type_, set_identifier):
        return (name.strip(".").lower(), type_, set_identifier or None)

    class IndexedChangeList(base):
        def __init__(self, *args):
            super().__init__(*args)
            self._by_key = {}
            for change in self:
                self._by_key.setdefault(key(change["ResourceRecordSet"]), []).append(change)

        def append(self, item):
            super().append(item)
            self._by_key.setdefault(key(item["ResourceRecordSet"]), []).append(item)

        # moto asks "change in journal" only to refuse a CREATE of a set
        # that exists: answer whether it exists once the batch's earlier
        # changes are applied.
        def __contains__(self, item):
            rr_set = item["ResourceRecordSet"]
            rr_set["Name"] = rr_set["Name"].strip(".")
            zone = getattr(self, "zone", None)
            if zone is None:
                return any(change == item for change in self._by_key.get(key(rr_set), ()))
            want = set_key(rr_set["Name"], rr_set.get("Type"), rr_set.get("SetIdentifier"))
            exists = any(set_key(r.name, r.type, r.set_identifier) == want for r in zone.rrsets)
            for change in getattr(self, "batch", ()):
                if change is item:
                    break
                other = change["ResourceRecordSet"]
                if set_key(other["Name"], other.get("Type"), other.get("SetIdentifier")) == want:
                    exists = change["Action"] != "DELETE"
            return exists

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

    zone_init = zone_class.__init__

    def init_zone(self, *args, **kwargs):
        zone_init(self, *args, **kwargs)
        self.rr_changes.zone = self

    zone_class.__init__ = init_zone

    change_sets = backend_class.change_resource_record_sets

    def change_resource_record_sets(self, zoneid, change_list):
        journal = self.get_hosted_zone(zoneid).rr_changes
        journal.batch = change_list
        try:
            return change_sets(self, zoneid, change_list)
        finally:
            journal.batch = ()

    backend_class.change_resource_record_sets = change_resource_record_sets


threading.Thread(target=exit_with_parent, daemon=True).start()
index_route53_journal()
moto.server.main(sys.argv[1:])
