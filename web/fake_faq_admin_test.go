package web

import (
	"context"
	"sync"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// The fake desk's FAQ rights: two roles, one service with a rule. Like
// the fake's other admin pages it answers anyone (errs set on it stand
// for the desk's refusals); who may is tested in package desk.

var fakeFAQSaves sync.Map // *fakeDesk → *[]desk.FAQSettingsForm

func (f *fakeDesk) faqSaves() *[]desk.FAQSettingsForm {
	v, _ := fakeFAQSaves.LoadOrStore(f, &[]desk.FAQSettingsForm{})
	return v.(*[]desk.FAQSettingsForm)
}

func (f *fakeDesk) FAQSettings(_ context.Context, _ desk.Principal) (desk.FAQSettings, error) {
	f.record("FAQSettings")
	return desk.FAQSettings{
		Roles: []desk.FAQRoleRights{{RoleID: 1, Name: "admin", Active: true},
			{RoleID: 2, Name: "1st level <Helpdesk>", Active: true, Perms: []string{models.FAQPermEdit}}},
		Services: []models.Service{{ID: 11, Name: "Drucken"}, {ID: 12, Name: "Netz & WLAN"}},
		Approval: []int64{11},
	}, f.adminErr("FAQSettings")
}

func (f *fakeDesk) SaveFAQSettings(_ context.Context, _ desk.Principal, form desk.FAQSettingsForm) error {
	f.record("SaveFAQSettings", form)
	if err := f.adminErr("SaveFAQSettings"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	saves := f.faqSaves()
	*saves = append(*saves, form)
	return nil
}
