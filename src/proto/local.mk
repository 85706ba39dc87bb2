# src/proto: see README architecture
