package returns

import "testing"

func TestPolicyKeys(t *testing.T) {
	t.Parallel()
	for _, p := range ReleasePolicies() {
		if !p.Release {
			t.Errorf("%s is offered for release", p)
		}
		if got, err := ReleasePolicy(p.Key()); err != nil || got != p {
			t.Errorf("ReleasePolicy(%q) = %v, %v", p.Key(), got, err)
		}
	}
	if len(ReleasePolicies()) == 0 || ReleasePolicies()[0] != SuppressBelow5 {
		t.Errorf("release policies %v: the first, the default, must be %s", ReleasePolicies(), SuppressBelow5)
	}
	for _, key := range []string{"", "round-to-5:1", "suppress-below-5", "suppress-below-5:2", "nothing:1"} {
		if _, err := ReleasePolicy(key); err == nil {
			t.Errorf("ReleasePolicy(%q) accepted", key)
		}
	}
}
