# a repository folder named like a standard-library module
