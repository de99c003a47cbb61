package models_test

import (
	"context"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
)

// otrsCheckDigit recomputes the check digit independently of the code
// under test: weights 1,2,1,2,… over the digits.
func otrsCheckDigit(s string) int {
	sum := 0
	for i, r := range s {
		sum += (i%2 + 1) * int(r-'0')
	}
	c := 10 - sum%10
	if c == 10 {
		return 1
	}
	return c
}

func TestTicketNumbers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		day := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		first, err := models.NextTicketNumber(ctx, db, day, "10")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^202611271000001\d$`).MatchString(first) {
			t.Fatalf("first number of the day = %s, want 202611271000001 + check digit", first)
		}
		if got, want := first[15:], strconv.Itoa(otrsCheckDigit(first[:15])); got != want {
			t.Errorf("check digit of %s = %s, want %s", first, got, want)
		}

		// Many writers at once, as several web processes would be.
		const n = 40
		var mu sync.Mutex
		seen := map[string]bool{first: true}
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				num, err := models.NextTicketNumber(ctx, db, day, "10")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if seen[num] {
					t.Errorf("number %s handed out twice", num)
				}
				seen[num] = true
			})
		}
		wg.Wait()
		if len(seen) != n+1 {
			t.Errorf("%d distinct numbers, want %d", len(seen), n+1)
		}
		next, _ := models.NextTicketNumber(ctx, db, day.AddDate(0, 0, 1), "10")
		if next[:15] != "202611281000001" {
			t.Errorf("the counter must start again each day: %s", next)
		}
	})
}

func TestClaimRequestKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		if _, found, _ := models.RequestByKey(ctx, db, f.Tenant.ID, "k1"); found {
			t.Fatal("unused key found")
		}
		got, err := models.ClaimRequestKey(ctx, db, f.Tenant.ID, "k1", "111", "print")
		if err != nil || got.TicketNumber != "111" || got.Fingerprint != "print" {
			t.Fatalf("first claim = %+v, %v", got, err)
		}
		got, err = models.ClaimRequestKey(ctx, db, f.Tenant.ID, "k1", "222", "other")
		if err != nil || got.TicketNumber != "111" || got.Fingerprint != "print" {
			t.Fatalf("second claim = %+v, %v; want the first", got, err)
		}
		if r, found, _ := models.RequestByKey(ctx, db, f.Tenant.ID, "k1"); !found || r.TicketNumber != "111" || r.Fingerprint != "print" {
			t.Errorf("lookup = %+v, %v", r, found)
		}
	})
}

func TestAPITokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		if err := models.CreateAPIToken(ctx, db, f.Agent.ID, "ci", "secret-token"); err != nil {
			t.Fatal(err)
		}
		a, err := models.AgentByToken(ctx, db, "secret-token")
		if err != nil || a.ID != f.Agent.ID {
			t.Fatalf("AgentByToken = %+v, %v", a, err)
		}
		if _, err := models.AgentByToken(ctx, db, "wrong"); err == nil {
			t.Error("a wrong token was accepted")
		}
		var stored models.APIToken
		db.Take(&stored)
		if stored.TokenHash == "secret-token" {
			t.Error("token stored in clear")
		}
	})
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := models.Migrate(context.Background(), db, discard()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}
