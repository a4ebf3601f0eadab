package embeddings

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
)

// BuiltinDimensions is the length of the builtin provider's vectors.
const BuiltinDimensions = 1024

// Feature weights of the builtin provider. Whole words carry the meaning;
// character trigrams let "shipping" meet "shipment" and survive typos;
// synonyms bridge everyday words to schema words; SQL type names are in
// every table's text, so they barely count.
const (
	weightWord     = 1.0
	weightTypeWord = 0.15
	weightSynonym  = 0.55
	weightTrigram  = 0.22
	weightBigram   = 0.5
)

// Builtin embeds text offline and deterministically: hashed word, word-pair
// and character-trigram features (with identifier splitting, abbreviation
// expansion and a small synonym table), L2-normalized. It needs no model
// download and is good enough to rank a schema's tables for a question.
type Builtin struct {
	// noSynonyms turns the synonym table off, to measure what it adds.
	noSynonyms bool
}

var _ Provider = Builtin{}

// Name reports "builtin".
func (Builtin) Name() string { return "builtin" }

// Model names the feature set; a change to it must change the name, so
// stored vectors are recomputed rather than compared with new ones.
func (Builtin) Model() string { return fmt.Sprintf("hashed-ngrams-v1-%d", BuiltinDimensions) }

// Embed returns one vector per text.
func (b Builtin) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = b.Vector(t)
	}
	return out, nil
}

// Vector embeds one text.
func (b Builtin) Vector(text string) []float32 {
	v := make([]float64, BuiltinDimensions)
	words := Words(text)
	for i, w := range words {
		weight := weightWord
		if typeWords[w] {
			weight = weightTypeWord
		}
		addFeature(v, "w:"+w, weight)
		if !b.noSynonyms {
			for _, syn := range synonyms[w] {
				addFeature(v, "w:"+stem(syn), weightSynonym)
			}
		}
		if i > 0 && !typeWords[w] && !typeWords[words[i-1]] {
			addFeature(v, "b:"+words[i-1]+" "+w, weightBigram)
		}
		if len(w) >= 4 && !typeWords[w] {
			padded := "^" + w + "$"
			for j := 0; j+3 <= len(padded); j++ {
				addFeature(v, "t:"+padded[j:j+3], weightTrigram)
			}
		}
	}
	return normalize(v)
}

// addFeature adds weight to the feature's hashed slot, with a sign from the
// hash so that colliding features cancel out on average instead of adding up.
func addFeature(v []float64, feature string, weight float64) {
	h := fnv.New64a()
	_, _ = h.Write([]byte(feature))
	sum := h.Sum64()
	i := sum % uint64(len(v))
	if sum>>63 == 1 {
		weight = -weight
	}
	v[i] += weight
}

func normalize(v []float64) []float32 {
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, len(v))
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}
