package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// Apply implements providers.Provider. Changes are carried out one after the
// other: IAM is one account-wide service with low rate limits.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	out := make([]providers.Result, 0, len(req.Changes))
	for _, c := range req.Changes {
		out = append(out, p.applyOne(ctx, req, c))
	}
	return out
}

func (p *Provider) applyOne(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	res := providers.Result{Addr: c.Addr}
	var err error
	switch c.Action {
	case plan.Create:
		res.Observed, res.Message, err = p.create(ctx, req, c)
	case plan.Update, plan.Replace:
		res.Observed, res.Message, err = p.update(ctx, req, c)
	case plan.Delete:
		res.Message, err = p.deleteUser(ctx, req.Stack, userNameOf(c), str(c.Before, "credentials"), "")
	case plan.NoOp:
	default:
		err = fmt.Errorf("action %q is not one an SMTP user takes", c.Action)
	}
	if err != nil {
		res.Observed = nil
		res.Err = err
	}
	return res
}

// smtpUser is the desired state of one SMTP user.
type smtpUser struct {
	addr, name, path, policy, credentials, region string
}

func desiredUser(req providers.ApplyRequest, c plan.Change) (smtpUser, error) {
	u := smtpUser{
		addr:        c.Addr,
		name:        str(c.After, "user_name"),
		path:        str(c.After, "path"),
		credentials: str(c.After, "credentials"),
		region:      str(c.After, "region"),
	}
	if u.path == "" {
		u.path = "/"
	}
	if u.region == "" {
		u.region = req.Region
	}
	if u.name == "" || u.credentials == "" || u.region == "" {
		return smtpUser{}, fmt.Errorf("the change lacks user_name, credentials or region")
	}
	if _, err := secrets.ParseLocation(u.credentials); err != nil {
		return smtpUser{}, err
	}
	if doc := str(c.After, "policy"); doc != "" {
		canon, err := CanonicalPolicy(doc)
		if err != nil {
			return smtpUser{}, fmt.Errorf("policy: %w", err)
		}
		u.policy = canon
	} else {
		u.policy = SMTPPolicy(strList(c.After, "allowed_from"))
	}
	return u, nil
}

func (u smtpUser) tags(stack string) map[string]string {
	return map[string]string{specs.TagStack: stack, specs.TagAddr: u.addr, TagCredentials: u.credentials, TagRegion: u.region}
}

// create makes the user (tagged at creation), its policy, its key and its
// stored credentials. A user left by an earlier, interrupted run of this
// stack is taken up where that run stopped.
func (p *Provider) create(ctx context.Context, req providers.ApplyRequest, c plan.Change) (*plan.Observed, string, error) {
	u, err := desiredUser(req, c)
	if err != nil {
		return nil, "", err
	}
	out, err := p.api.CreateUser(ctx, &iamsdk.CreateUserInput{
		UserName: aws.String(u.name),
		Path:     aws.String(u.path),
		Tags:     iamTags(u.tags(req.Stack)),
	})
	var exists *iamtypes.EntityAlreadyExistsException
	switch {
	case errors.As(err, &exists):
		return p.converge(ctx, req, c, u, "")
	case err != nil:
		return nil, "", fmt.Errorf("creating IAM user %s: %w", u.name, err)
	}
	arn := aws.ToString(out.User.Arn)
	if err := p.putPolicy(ctx, u); err != nil {
		return nil, "", err
	}
	cr, err := p.ensureCredentials(ctx, req, u, nil, false)
	if err != nil {
		return nil, "", err
	}
	return observedAfter(req.Stack, u, arn, cr.keyID), cr.message, nil
}

// update brings an existing user to the desired state. A new user_name means
// a new user: the old one is deleted first, but not the credentials it
// leaves at the new user's location, which the new user's then overwrite:
// deleting and creating one Secrets Manager name makes the new user wait
// for the name, and leaves the location empty meanwhile. Otherwise the path is changed in
// place, the policy and tags are rewritten when they differ, and the access
// key is replaced when the store lacks its credentials, when they were
// derived for another region, or when a replacement was requested.
func (p *Provider) update(ctx context.Context, req providers.ApplyRequest, c plan.Change) (*plan.Observed, string, error) {
	u, err := desiredUser(req, c)
	if err != nil {
		return nil, "", err
	}
	var notes []string
	if old := userNameOf(c); old != "" && old != u.name {
		msg, err := p.deleteUser(ctx, req.Stack, old, str(c.Before, "credentials"), u.credentials)
		if err != nil {
			return nil, "", err
		}
		notes = append(notes, "deleted IAM user "+old, msg)
		o, msg, err := p.create(ctx, req, c)
		return o, providers.JoinMessages(append(notes, msg)...), err
	}
	return p.converge(ctx, req, c, u, str(c.Before, "policy"))
}

// converge updates user u, which exists, to the desired state. beforePolicy
// is the policy plan observed ("" when unknown: it is then written).
func (p *Provider) converge(ctx context.Context, req providers.ApplyRequest, c plan.Change, u smtpUser, beforePolicy string) (*plan.Observed, string, error) {
	got, err := p.api.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String(u.name)})
	if isNoSuchEntity(err) {
		if c.Action == plan.Create {
			return nil, "", fmt.Errorf("IAM user %s was deleted while mailform created it", u.name)
		}
		c.Action = plan.Create
		return p.create(ctx, req, c)
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading IAM user %s: %w", u.name, err)
	}
	have := tagMap(got.User.Tags)
	var adopted string
	if adopting(c, have) {
		adopted = "adopted IAM user " + u.name + ": tagged " + specs.TagStack + "=" + req.Stack
	} else if err := checkOwner(u.name, have, req.Stack); err != nil {
		return nil, "", err
	}
	if aws.ToString(got.User.Path) != u.path {
		if _, err := p.api.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String(u.name), NewPath: aws.String(u.path)}); err != nil {
			return nil, "", fmt.Errorf("moving IAM user %s to path %s: %w", u.name, u.path, err)
		}
	}
	kept := str(c.Before, AttrKeptKey)
	rotate := rotationRequested(c)
	want := u.tags(req.Stack)
	switch {
	case kept != "" && !rotate:
		want[TagKeptKey] = kept
	case have[TagKeptKey] != "":
		want[TagKeptKey] = "" // the kept key is replaced below
	}
	for k, v := range want {
		if have[k] != v {
			if _, err := p.api.TagUser(ctx, &iamsdk.TagUserInput{UserName: aws.String(u.name), Tags: iamTags(want)}); err != nil {
				return nil, "", fmt.Errorf("tagging IAM user %s: %w", u.name, err)
			}
			break
		}
	}
	// An adopted user's policy of another name becomes mailform's: the
	// same document goes under PolicyName before the old name is deleted,
	// so that the user can send throughout.
	oldPolicy := str(c.Before, AttrPolicyName)
	if canon, _ := CanonicalPolicy(beforePolicy); beforePolicy == "" || canon != u.policy || oldPolicy != "" {
		if err := p.putPolicy(ctx, u); err != nil {
			return nil, "", err
		}
	}
	var policyNote string
	if oldPolicy != "" && oldPolicy != PolicyName {
		if _, err := p.api.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: aws.String(u.name), PolicyName: aws.String(oldPolicy)}); err != nil && !isNoSuchEntity(err) {
			return nil, "", fmt.Errorf("deleting inline policy %s of IAM user %s, now %s: %w", oldPolicy, u.name, PolicyName, err)
		}
		policyNote = "renamed its inline policy " + oldPolicy + " to " + PolicyName
	}
	if kept != "" && !rotate {
		msg, err := p.keepKey(ctx, u, kept)
		if err != nil {
			return nil, "", err
		}
		arn := strings.Replace(aws.ToString(got.User.Arn), ":user"+aws.ToString(got.User.Path), ":user"+u.path, 1)
		o := observedAfter(req.Stack, u, arn, "")
		o.Attrs["password"] = specs.Sensitive{Digest: digestKept}
		o.Attrs[AttrKeptKey] = kept
		delete(o.Attrs, "access_key_id")
		return o, providers.JoinMessages(adopted, policyNote, msg), nil
	}
	var previous []string
	if old := str(c.Before, "credentials"); old != "" && old != u.credentials {
		previous = append(previous, old)
	} else if old := have[TagCredentials]; old != "" && old != u.credentials {
		previous = append(previous, old)
	}
	var keptKeys []string
	if kept != "" {
		keptKeys = []string{kept}
	}
	cr, err := p.ensureCredentials(ctx, req, u, previous, rotate, keptKeys...)
	if err != nil {
		return nil, "", err
	}
	notes := []string{adopted, policyNote, cr.message}
	for _, old := range previous {
		msg, err := p.removeStoredCredentials(ctx, req.Stack, old, cr.seen)
		if err != nil {
			return nil, "", err
		}
		notes = append(notes, msg)
	}
	// The path is part of the ARN.
	arn := strings.Replace(aws.ToString(got.User.Arn), ":user"+aws.ToString(got.User.Path), ":user"+u.path, 1)
	return observedAfter(req.Stack, u, arn, cr.keyID), providers.JoinMessages(notes...), nil
}

// rotationRequested reports whether the change asks for a new access key: a
// replacement the user requested, or a plan replace for any reason other than
// the user's path (which UpdateUser changes in place).
func rotationRequested(c plan.Change) bool {
	if c.Because(plan.CauseRequested) {
		return true
	}
	if c.Action != plan.Replace {
		return false
	}
	for _, d := range c.Diffs {
		if d.Replaces && d.Name != "path" && d.Name != "user_name" {
			return true
		}
	}
	for _, d := range c.Diffs {
		if d.Replaces {
			return false
		}
	}
	return true
}

func (p *Provider) putPolicy(ctx context.Context, u smtpUser) error {
	_, err := p.api.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{
		UserName:       aws.String(u.name),
		PolicyName:     aws.String(PolicyName),
		PolicyDocument: aws.String(u.policy),
	})
	if err != nil {
		return fmt.Errorf("putting inline policy %s on IAM user %s: %w", PolicyName, u.name, err)
	}
	return nil
}

// credentialsResult says which key the stored credentials belong to.
type credentialsResult struct {
	keyID   string
	seen    []string // the user's key IDs before the change
	message string
}

// credentialTags are the tags of the secret holding u's SMTP credentials
// for access key keyID.
func credentialTags(u smtpUser, keyID string) []secrets.Tag {
	return append([]secrets.Tag{
		{Key: specs.TagAddr, Value: u.addr},
		{Key: secrets.TagKind, Value: string(specs.KindSMTPUser)},
	}, secrets.SMTPCredentialTags(keyID, u.region)...)
}

// ensureCredentials leaves the user with exactly one active access key whose
// SMTP credentials are in the store at u.credentials. Keys whose secret never
// reached the store are deleted first (their secret is lost for good); a new
// key is created, derived and stored, and only once AWS accepts it
// (p.proof) is the key it replaces deleted, so that both the credentials
// clients still hold and the stored ones keep working throughout. When AWS
// does not accept the new key within the wait, the old key stays and the
// next run deletes it. previous lists former credential locations whose key
// should survive until the new one is stored.
//
// Every step can be repeated: a run stopped after any call converges on the
// next one.
//
// kept lists the access keys whose password is held outside mailform (an
// adopted user's): like a stored key, each stays until the new key works.
func (p *Provider) ensureCredentials(ctx context.Context, req providers.ApplyRequest, u smtpUser, previous []string, rotate bool, kept ...string) (credentialsResult, error) {
	report := func(msg string) { req.Report(u.addr, msg) }
	ctx = secrets.WithProgress(ctx, report)
	state, err := p.observeKeys(ctx, u, previous)
	if err != nil {
		return credentialsResult{}, err
	}
	state.previous = append(state.previous, kept...)
	state.rotate = rotate
	res := credentialsResult{}
	for _, k := range state.keys {
		res.seen = append(res.seen, k.id)
	}
	kp := planKeys(state)
	if kp.settle {
		if err := p.settle(ctx, report, state.keys, kp.current); err != nil {
			return credentialsResult{}, err
		}
	}
	var dropped []string
	for _, d := range kp.remove {
		if err := p.deleteKey(ctx, u, d.id, d.why); err != nil {
			return credentialsResult{}, err
		}
		dropped = append(dropped, d.id)
	}
	if !kp.reuse {
		if res.keyID, res.message, err = p.replaceKey(ctx, req.Stack, report, u, kp.replaced); err != nil {
			return credentialsResult{}, err
		}
		return res, nil
	}
	res.keyID = kp.current
	// Credentials written by an older mailform lack the tags that let
	// plan read them without decrypting: add them (no-op when present).
	if l, err := secrets.ParseLocation(u.credentials); err == nil && l.Scheme != secrets.File {
		if err := p.store.Adopt(ctx, u.credentials, req.Stack, credentialTags(u, kp.current)...); err != nil {
			return credentialsResult{}, err
		}
	}
	if len(dropped) > 0 {
		res.message = fmt.Sprintf("deleted access key %s: the credentials in %s belong to %s", strings.Join(dropped, ", "), u.credentials, kp.current)
	}
	return res, nil
}

// keepKey checks that the kept access key of an adopted user is still
// there and active, as the plan saw it: its password, which mailform cannot
// know, is what the user's applications send with.
func (p *Provider) keepKey(ctx context.Context, u smtpUser, id string) (string, error) {
	keys, err := p.accessKeys(ctx, u.name)
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(keys, func(k accessKey) bool { return k.id == id && k.active }) {
		return "", fmt.Errorf("access key %s of IAM user %s, which the plan keeps, is gone or inactive since; run mailform plan again (it then issues a new key, stored at %s)", id, u.name, u.credentials)
	}
	return fmt.Sprintf("kept access key %s: the SMTP password in use keeps working, and nothing is stored at %s until apply -replace %s issues a new key", id, u.credentials, u.addr), nil
}

// observeKeys reads u's access keys and the key IDs of the credentials
// stored for u, at u.credentials and at the previous locations.
func (p *Provider) observeKeys(ctx context.Context, u smtpUser, previous []string) (keyState, error) {
	keys, err := p.accessKeys(ctx, u.name)
	if err != nil {
		return keyState{}, err
	}
	stored, found, err := p.storedCredentials(ctx, u.credentials)
	if err != nil {
		return keyState{}, err
	}
	state := keyState{keys: keys}
	if found {
		state.stored = stored.Username
		state.storedFits = stored.Region == u.region && stored.Host == secrets.SMTPHost(u.region)
	}
	for _, loc := range previous {
		old, ok, err := p.storedCredentials(ctx, loc)
		if err != nil {
			return keyState{}, err
		}
		if ok {
			state.previous = append(state.previous, old.Username)
		}
	}
	return state, nil
}

// replaceKey creates a key for u, stores its SMTP credentials and, once AWS
// accepts the new key, deletes the keys it replaces. It returns the new
// key's ID and what it did.
func (p *Provider) replaceKey(ctx context.Context, stack string, report func(string), u smtpUser, replaced []string) (string, string, error) {
	created, err := p.api.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(u.name)})
	if err != nil {
		return "", "", fmt.Errorf("creating an access key for IAM user %s: %w", u.name, err)
	}
	newID := aws.ToString(created.AccessKey.AccessKeyId)
	secret := aws.ToString(created.AccessKey.SecretAccessKey) // kept only to prove the new key, below
	created = nil
	doc := secrets.NewSMTPCredentials(newID, SMTPPassword(secret, u.region), u.region).Encode()
	if err := p.store.Put(ctx, u.credentials, doc, stack, credentialTags(u, newID)...); err != nil {
		// The new key's secret is lost: remove the key now rather than
		// leave it to the next run.
		_ = p.deleteKey(ctx, u, newID, "unstored")
		return "", "", err
	}
	message := fmt.Sprintf("created access key %s and wrote its SMTP credentials for %s to %s", newID, u.region, u.credentials)
	proven := true
	if len(replaced) > 0 {
		var why string
		var err error
		proven, why, err = p.proveKey(ctx, report, newID, secret)
		if err != nil {
			return "", "", fmt.Errorf("waiting for AWS to accept new access key %s (its credentials are stored; the old key %s still works): %w", newID, strings.Join(replaced, ", "), err)
		}
		if !proven {
			message += fmt.Sprintf("; kept access key %s: AWS did not accept %s within %s (%s), IAM being eventually consistent; the next apply deletes it",
				strings.Join(replaced, ", "), newID, p.proof.Wait, why)
		}
	}
	secret = "" // the secret access key is not kept past this point
	if proven {
		for _, id := range replaced {
			if err := p.deleteKey(ctx, u, id, "replaced"); err != nil {
				return "", "", err
			}
		}
	}
	// A CreateAccessKey whose answer was lost and that the SDK retried
	// leaves a key nobody knows the secret of: list again and remove it, so
	// that this run, not the next, ends with one key (or with the new key
	// and the one kept until the new one works).
	now, err := p.accessKeys(ctx, u.name)
	if err != nil {
		return "", "", err
	}
	var kept []string
	if !proven {
		kept = replaced
	}
	for _, id := range strayKeys(now, newID, kept) {
		if err := p.deleteKey(ctx, u, id, "unstored"); err != nil {
			return "", "", err
		}
	}
	return newID, message, nil
}

// deleteKey deletes u's access key id; one already gone is not an error.
// why says which key it is, for the error.
func (p *Provider) deleteKey(ctx context.Context, u smtpUser, id, why string) error {
	_, err := p.api.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String(u.name), AccessKeyId: aws.String(id)})
	if err != nil && !isNoSuchEntity(err) {
		return fmt.Errorf("deleting %s access key %s of IAM user %s: %w", why, id, u.name, err)
	}
	return nil
}

// settle waits, before the keys other than current are deleted, until the
// current key is at least p.proof.Wait old: a run that kept an old key
// because AWS did not yet accept the new one cannot prove the new key
// again (mailform keeps no secret access key), so it gives IAM the time
// the proof would have had.
func (p *Provider) settle(ctx context.Context, report func(string), keys []accessKey, current string) error {
	if p.proof.Probe == nil {
		return nil
	}
	for _, k := range keys {
		if k.id != current || k.created.IsZero() {
			continue
		}
		left := time.Until(k.created.Add(p.proof.Wait))
		if left <= 0 {
			return nil
		}
		report(fmt.Sprintf("waiting %s, until access key %s is %s old, before deleting the key it replaced", left.Round(time.Second), current, p.proof.Wait))
		if err := awscfg.Sleep(ctx, left); err != nil {
			return err
		}
	}
	return nil
}

// deleteUser removes the stored credentials (when they are this stack's,
// and not at keep, which a new user's credentials are about to overwrite),
// the access keys, the inline policies and the user. A user that is already
// gone is not an error.
func (p *Provider) deleteUser(ctx context.Context, stack, name, credentials, keep string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("the change does not name the IAM user to delete")
	}
	got, err := p.api.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String(name)})
	if isNoSuchEntity(err) {
		if credentials == keep {
			return "IAM user " + name + " was already gone", nil
		}
		msg, err := p.removeStoredCredentials(ctx, stack, credentials, nil)
		return providers.JoinMessages("IAM user "+name+" was already gone", msg), err
	}
	if err != nil {
		return "", fmt.Errorf("reading IAM user %s: %w", name, err)
	}
	tags := tagMap(got.User.Tags)
	if err := checkOwner(name, tags, stack); err != nil {
		return "", err
	}
	if credentials == "" {
		credentials = tags[TagCredentials]
	}
	keys, err := p.accessKeys(ctx, name)
	if err != nil {
		return "", err
	}
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.id)
	}
	// The credentials go first: once the user is gone, nothing would lead a
	// later run to them.
	msg := ""
	if credentials != keep {
		msg, err = p.removeStoredCredentials(ctx, stack, credentials, ids)
		if err != nil {
			return "", err
		}
	}
	for _, id := range ids {
		if _, err := p.api.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(id)}); err != nil && !isNoSuchEntity(err) {
			return "", fmt.Errorf("deleting access key %s of IAM user %s: %w", id, name, err)
		}
	}
	pages := iamsdk.NewListUserPoliciesPaginator(p.api, &iamsdk.ListUserPoliciesInput{UserName: aws.String(name)})
	var policies []string
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("listing the inline policies of IAM user %s: %w", name, err)
		}
		policies = append(policies, page.PolicyNames...)
	}
	for _, pol := range policies {
		if _, err := p.api.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(pol)}); err != nil && !isNoSuchEntity(err) {
			return "", fmt.Errorf("deleting inline policy %s of IAM user %s: %w", pol, name, err)
		}
	}
	if _, err := p.api.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String(name)}); err != nil && !isNoSuchEntity(err) {
		return "", fmt.Errorf("deleting IAM user %s: %w", name, err)
	}
	return msg, nil
}

// removeStoredCredentials deletes the credentials at loc when they are this
// stack's: an SSM parameter or secret carrying its mark, or a file holding
// the credentials of one of keyIDs (files carry no mark). Anything else is
// kept, and the message says so.
func (p *Provider) removeStoredCredentials(ctx context.Context, stack, loc string, keyIDs []string) (string, error) {
	if loc == "" {
		return "", nil
	}
	l, err := secrets.ParseLocation(loc)
	if err != nil {
		return "", err
	}
	tags, found, err := p.store.Tags(ctx, loc)
	if err != nil && l.Scheme == secrets.File && secrets.Unreadable(err) {
		// A file mailform cannot read holds nothing it wrote; it must not
		// keep the user from being changed or deleted.
		return fmt.Sprintf("left %s as it is: it cannot be read (%v)", loc, err), nil
	}
	if err != nil || !found {
		return "", err
	}
	if l.Scheme == secrets.File {
		creds, ok, err := p.storedCredentials(ctx, loc)
		if err != nil && secrets.Unreadable(err) {
			return fmt.Sprintf("left %s as it is: it cannot be read (%v)", loc, err), nil
		}
		if err != nil {
			return "", err
		}
		mine := false
		for _, id := range keyIDs {
			mine = mine || (ok && creds.Username == id)
		}
		if !mine {
			return fmt.Sprintf("kept %s: it does not hold the credentials of this user's keys", loc), nil
		}
	} else if !secrets.Owned(tags, stack) {
		return fmt.Sprintf("kept %s: it does not carry the mailform:stack=%s tag", loc, stack), nil
	}
	if err := p.store.Delete(ctx, loc); err != nil {
		return "", err
	}
	return "deleted the SMTP credentials in " + loc, nil
}

func checkOwner(name string, tags map[string]string, stack string) error {
	if owner := tags[specs.TagStack]; owner != stack {
		if owner == "" {
			return fmt.Errorf("IAM user %s exists and is not mailform's (no %s tag): adopt it or choose another user_name", name, specs.TagStack)
		}
		return fmt.Errorf("IAM user %s belongs to mailform stack %q, not %q", name, owner, stack)
	}
	return nil
}

// userNameOf names the user a change is about as it exists now.
func userNameOf(c plan.Change) string {
	if c.ID != "" {
		return c.ID
	}
	if n := str(c.Before, "user_name"); n != "" {
		return n
	}
	return str(c.After, "user_name")
}

func observedAfter(stack string, u smtpUser, arn, keyID string) *plan.Observed {
	attrs := map[string]any{
		"user_name":     u.name,
		"path":          u.path,
		"arn":           arn,
		"policy":        u.policy,
		"credentials":   u.credentials,
		"region":        u.region,
		"password":      specs.Sensitive{Digest: "present"},
		"access_key_id": keyID,
	}
	if from := allowedFromOf(u.policy); len(from) > 0 {
		attrs["allowed_from"] = from
	}
	return &plan.Observed{Addr: u.addr, Kind: specs.KindSMTPUser, ID: u.name, Owner: stack, Attrs: attrs}
}

// adopting reports whether the change asks to take over a user that carries
// no stack's mark (never one that carries another stack's).
func adopting(c plan.Change, tags map[string]string) bool {
	return c.Adopt && tags[specs.TagStack] == ""
}
