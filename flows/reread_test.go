package flows

import (
	"reflect"
	"testing"
)

// TestCloneSharesNothing fills every slice of a Flow (found by
// reflection, so a slice added later is covered) and checks that changing
// the clone's leaves the original as it was: a step works on a copy of the
// request's read (WithRead).
func TestCloneSharesNothing(t *testing.T) {
	f := &Flow{ID: "x"}
	v := reflect.ValueOf(f).Elem()
	var slices []string
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := 0; i < v.NumField(); i++ {
			fv, name := v.Field(i), path+v.Type().Field(i).Name
			switch fv.Kind() {
			case reflect.Slice:
				fv.Set(reflect.MakeSlice(fv.Type(), 1, 4))
				fv.Index(0).Set(reflect.ValueOf("a").Convert(fv.Type().Elem()))
				slices = append(slices, name)
			case reflect.Map, reflect.Pointer:
				t.Errorf("%s: a %s in Flow; clone must copy it", name, fv.Kind())
			case reflect.Struct:
				if fv.Type().PkgPath() == v.Type().PkgPath() {
					walk(fv, name+".")
				}
			}
		}
	}
	walk(v, "")
	if len(slices) == 0 {
		t.Fatal("no slice found in Flow")
	}
	c := f.clone()
	cv := reflect.ValueOf(c).Elem()
	for _, name := range slices {
		fs := v.FieldByName(name)
		cs := cv.FieldByName(name)
		cs.Index(0).Set(reflect.ValueOf("b").Convert(cs.Type().Elem()))
		_ = reflect.Append(cs, cs.Index(0))
		if fs.Index(0).String() != "a" {
			t.Errorf("%s: the clone shares its slice with the original", name)
		}
	}
}
