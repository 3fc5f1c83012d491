// The renderer: fleet repository format, kustomize, site overlays.
