# src/mime: see README architecture
