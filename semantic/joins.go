package semantic

import (
	"fmt"
	"strings"
)

// joinTree is the cubes a query reads, rooted at one of them, with the
// joins that reach the others in parent-before-child order.
type joinTree struct {
	root  *Cube
	joins []*Join
	// under maps a cube to the cubes below it in the tree (itself included).
	under map[*Cube]map[*Cube]bool
}

// cubeSet is an insertion-ordered set of cubes.
type cubeSet struct {
	list []*Cube
	has  map[*Cube]bool
}

func (s *cubeSet) add(c *Cube) {
	if s.has == nil {
		s.has = map[*Cube]bool{}
	}
	if !s.has[c] {
		s.has[c] = true
		s.list = append(s.list, c)
	}
}

// addRefs adds the cubes a template reaches, following member references.
func (s *cubeSet) addRefs(t template, depth int) {
	if depth > 40 {
		return // cycles are refused when the model is parsed; this only bounds the walk
	}
	for _, ref := range t.refs() {
		s.add(ref.cube)
		switch ref.kind {
		case targetDimension:
			s.addRefs(ref.dimension.sqlTpl, depth+1)
		case targetMeasure:
			s.addMeasure(ref.measure, depth+1)
		}
	}
}

func (s *cubeSet) addMeasure(ms *Measure, depth int) {
	s.add(ms.Cube)
	s.addRefs(ms.sqlTpl, depth)
	for _, f := range ms.filterTpls {
		s.addRefs(f, depth)
	}
}

// buildJoinTree finds the smallest tree of declared joins (followed in the
// direction they are declared, as Cube does) that connects every cube in
// need, trying each of them as the root in turn.
func (m *Model) buildJoinTree(need []*Cube) (*joinTree, error) {
	var best *joinTree
	for _, root := range need {
		t := m.treeFrom(root, need)
		if t != nil && (best == nil || len(t.joins) < len(best.joins)) {
			best = t
		}
	}
	if best == nil {
		names := make([]string, len(need))
		for i, c := range need {
			names[i] = c.Name
		}
		return nil, queryErr("", "cubes %s cannot be joined: the model has no chain of joins from one of them to all the others (joins are followed in the direction they are declared)", strings.Join(names, ", "))
	}
	return best, nil
}

// treeFrom is the tree of shortest join paths from root to each cube in
// need, or nil if one cannot be reached.
func (m *Model) treeFrom(root *Cube, need []*Cube) *joinTree {
	via := map[*Cube]*Join{root: nil}
	order := []*Cube{root}
	for i := 0; i < len(order); i++ {
		for _, j := range order[i].Joins {
			to := m.byName[j.To]
			if _, seen := via[to]; !seen {
				via[to] = j
				order = append(order, to)
			}
		}
	}
	inTree := map[*Cube]bool{root: true}
	for _, c := range need {
		if _, ok := via[c]; !ok {
			return nil
		}
		for cur := c; via[cur] != nil; cur = via[cur].From {
			inTree[cur] = true
		}
	}
	t := &joinTree{root: root, under: map[*Cube]map[*Cube]bool{}}
	for _, c := range order {
		if inTree[c] && via[c] != nil {
			t.joins = append(t.joins, via[c])
		}
	}
	for c := range inTree {
		for cur := c; ; cur = via[cur].From {
			if t.under[cur] == nil {
				t.under[cur] = map[*Cube]bool{}
			}
			t.under[cur][c] = true
			if via[cur] == nil {
				break
			}
		}
	}
	return t
}

// multipliedBy returns the join that repeats c's rows in the joined result,
// or nil when every row of c appears at most once. Walking the tree from c,
// a join multiplies c when it is crossed from its "one" side to its "many"
// side: a one_to_many join from its declaring cube, or a many_to_one join
// back from its target.
func (t *joinTree) multipliedBy(c *Cube) *Join {
	for _, j := range t.joins {
		// A tree join leads from its declaring cube (the parent) to its target.
		onTargetSide := t.under[t.childOf(j)][c]
		switch {
		case onTargetSide && j.Relationship == ManyToOne:
			return j
		case !onTargetSide && j.Relationship == OneToMany:
			return j
		}
	}
	return nil
}

// childOf returns the cube a tree join leads to.
func (t *joinTree) childOf(j *Join) *Cube {
	for c := range t.under {
		if c.Name == j.To {
			return c
		}
	}
	return nil
}

// describe names a join for messages.
func (j *Join) describe() string {
	return fmt.Sprintf("%s → %s (%s)", j.From.Name, j.To, j.Relationship)
}
