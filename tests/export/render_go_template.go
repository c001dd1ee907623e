// Renders a Go text/template over Ollama-shaped data, as Ollama does for a Modelfile's TEMPLATE: reads
// {"template": "...", "conversations": [[{"role": ..., "content": ...}, ...], ...]} on stdin and writes a JSON list
// of renderings on stdout. Used by tests/export/test_ollama.py to check tunesmith's TEMPLATE with Go's own engine.
package main

import (
	"encoding/json"
	"os"
	"strings"
	"text/template"
)

type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type Data struct {
	Messages []Message
}

func main() {
	var input struct {
		Template      string      `json:"template"`
		Conversations [][]Message `json:"conversations"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		panic(err)
	}
	tmpl := template.Must(template.New("ollama").Parse(input.Template))
	out := []string{}
	for _, messages := range input.Conversations {
		var b strings.Builder
		if err := tmpl.Execute(&b, Data{Messages: messages}); err != nil {
			panic(err)
		}
		out = append(out, b.String())
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
